"""An analyst's own instrument (other constructs, another number of mechanisms, no GOV/MKT, a 7-point scale,
three roles): the hypotheses are numbered and counted from the model, and the whole book builds on it."""

from __future__ import annotations

import html as htmlmod
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.book import failure_summary
from iur_survey.report.diagram import path_diagram
from iur_survey.report.mediation import mediation_hypotheses_table
from iur_survey.report.sem_tables import MEDIATOR, OUTCOME, hypotheses, hypothesis_labels

REPO = Path(__file__).resolve().parents[2]


def _estimates(mechs, b_std=0.52):
    rows = [{"lhs": MEDIATOR, "op": "~", "rhs": m, "label": f"a{k}", "est": 0.1 * k, "se": 0.05,
             "pvalue": 0.001, "std.all": 0.1 * k} for k, m in enumerate(mechs, 1)]
    rows.append({"lhs": OUTCOME, "op": "~", "rhs": MEDIATOR, "label": "b", "est": b_std, "se": 0.05,
                 "pvalue": 0.001, "std.all": b_std})
    rows += [{"lhs": f"ind_{m}", "op": ":=", "rhs": f"a{k}*b", "label": f"ind_{m}", "est": 0.05, "se": 0.01,
              "pvalue": 0.001, "std.all": 0.05} for k, m in enumerate(mechs, 1)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("mechs", [("GOV", "MKT", "BEN", "VAL", "TAL"), ("TRU", "COM", "RES"),
                                   ("A", "B", "C", "D", "E", "F"), ("X",)])
def test_path_hypotheses_and_the_mediator_path_whatever_the_number_of_mechanisms(mechs):
    # chapter 5's selection: the path hypotheses by kind, the mediator's path by its effect (not by an id)
    h = hypotheses(_estimates(mechs))
    paths = h[h["kind"] == "path"]
    assert len(paths) == len(mechs) + 1
    assert (h["kind"] == "indirect").sum() == len(mechs)
    b = paths[paths["effect"] == f"{MEDIATOR} → {OUTCOME}"]
    assert len(b) == 1 and b.iloc[0]["std.all"] == pytest.approx(0.52)
    assert b.iloc[0]["hypothesis"] == hypothesis_labels(mechs)["b"] == f"H{len(mechs) + 1}"


def test_hypothesis_labels_follow_the_numbering():
    assert hypothesis_labels()["indirect"] == "H7a–e"
    lab = hypothesis_labels(("TRU", "COM", "RES"))
    assert (lab["paths"], lab["b"], lab["indirect"], lab["all"]) == ("H1–H3", "H4", "H5a–c", "H1–H5c")


def test_mediation_table_names_its_own_hypotheses():
    hyp = pd.DataFrame({"hypothesis": ["H5a", "H5b", "H5c"], "effect": ["TRU → COL → INT"] * 3, "est": [0.1] * 3,
                        "perc.lower": [0.05] * 3, "perc.upper": [0.2] * 3, "supported": ["yes"] * 3})
    t = mediation_hypotheses_table(hyp)
    assert t.title.endswith("H5a–c") and t.note.startswith("H5a–c") and "H7" not in t.title + t.note


def test_conceptual_diagram_draws_the_instruments_mechanisms():
    fig = path_diagram(mechanisms=("TRU", "COM", "RES"))
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"TRU", "COM", "RES", "H4"} <= texts and not {"GOV", "H5", "H6"} & texts


def test_the_first_page_says_what_an_own_instrument_measures(tmp_path):
    from iur_survey.instrument import load_instrument
    from iur_survey.report.codebook import survey_sentence
    _, inst = _own_export(tmp_path, n=5)
    text = survey_sentence(load_instrument(inst))
    assert "*Own instrument (test)*" in text and "five constructs with three to five items each on a 1-7 scale" in text
    assert "Inter-partner trust (TRU); Communication quality (COM)" in text and "three constructs in the place" in text
    assert "five mechanisms" not in text


def test_failure_summary_names_the_chapter_and_the_error():
    log = ("myst_nb.core.execute.base.ExecutionError: /x/book/05_structural.md\n"
           "build failed: CellExecutionError: An error occurred while executing the following cell:\n"
           "\x1b[31mKeyError\x1b[39m                                  Traceback (most recent call last)\n"
           "\x1b[31mKeyError\x1b[39m: 'GOV'\n")
    assert failure_summary(log) == "chapter 05_structural: a cell raised KeyError: 'GOV'"
    assert failure_summary("all good") is None


# ----------------------------------------------------------------------------- the whole book (slow)
INSTRUMENT = """name: Own instrument (test)
version: "0.1"
scale:
  min: 1
  max: 7
  labels:
    1: ["Completely disagree"]
    2: ["Mostly disagree"]
    3: ["Slightly disagree"]
    4: ["Neither"]
    5: ["Slightly agree"]
    6: ["Mostly agree"]
    7: ["Completely agree"]
missing_codes: [-99]
id_column: RespID
group_column: sector
groups:
  startup: ["Startup"]
  incumbent: ["Incumbent"]
  lab: ["Public lab"]
constructs:
  TRU: {label: ["Inter-partner trust", "伙伴间信任"], source: "t", items: [TRU1, TRU2, TRU3], reverse: [TRU3]}
  COM: {label: ["Communication quality", "沟通质量"], source: "t", items: [COM1, COM2, COM3, COM4, COM5], reverse: []}
  RES: {label: ["Resource commitment", "资源投入"], source: "t", items: [RES1, RES2, RES3, RES4], reverse: [RES2]}
  COL: {label: ["Joint problem solving", "联合解题"], source: "t", items: [COL1, COL2, COL3, COL4], reverse: []}
  INT: {label: ["Partnership performance", "伙伴绩效"], source: "t", items: [INT1, INT2, INT3], reverse: [INT2]}
items:
{items}
attention_checks: {}
columns: {}
"""
SIZES = {"TRU": 3, "COM": 5, "RES": 4, "COL": 4, "INT": 3}


def _own_export(root: Path, n: int = 300, seed: int = 11) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    items = "\n".join(f"  {c}{j}: {{en: \"Statement {j} on {c}.\", zh: \"陈述{j}\", source: \"t\"}}"
                      for c, k in SIZES.items() for j in range(1, k + 1))
    (root / "own.yaml").write_text(INSTRUMENT.replace("{items}", items), encoding="utf-8")
    x = rng.multivariate_normal(np.zeros(3), [[1, .4, .3], [.4, 1, .35], [.3, .35, 1]], size=n)
    col = x @ [.35, .25, .2] + rng.normal(0, .75, n)
    f = {"TRU": x[:, 0], "COM": x[:, 1], "RES": x[:, 2], "COL": col,
         "INT": .5 * col + x @ [.15, 0, .1] + rng.normal(0, .7, n)}
    data = {"RespID": [f"r{i}" for i in range(n)], "Email": [f"person{i}@example.org" for i in range(n)],
            "Duration (in seconds)": rng.integers(300, 1200, n),
            "sector": rng.choice(["Startup", "Incumbent", "Public lab"], size=n, p=[.5, .3, .2])}
    for c, k in SIZES.items():
        z = f[c] / f[c].std()
        for j in range(1, k + 1):
            code = np.clip(np.round(4 + 1.3 * (.75 * z + rng.normal(0, .66, n))), 1, 7).astype(int)
            data[f"{c}{j}"] = 8 - code if f"{c}{j}" in ("TRU3", "RES2", "INT2") else code
    pd.DataFrame(data).to_csv(root / "own.csv", index=False)
    return root / "own.csv", root / "own.yaml"


def _text(page: Path) -> str:
    s = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S | re.I)
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", s)))


@pytest.mark.slow
@pytest.mark.xdist_group("book")        # a kernel: never beside another build's (see test_prose_any_data.py)
def test_the_book_builds_on_an_own_instrument_and_counts_its_own_hypotheses(tmp_path):
    data, inst = _own_export(tmp_path)
    out = tmp_path / "book"
    env = dict(os.environ, IUR_SURVEY_BOOTSTRAP_B="50")
    proc = subprocess.run([sys.executable, "-m", "iur_survey", "book", "--data", str(data), "--instrument",
                           str(inst), "--out", str(out), "--quiet"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ch5 = _text(out / "html" / "book" / "05_structural.html")
    # COL and INT are named by the instrument's labels (Joint problem solving, Partnership performance)
    assert "predicts partnership performance with β = n/a" not in ch5 and "deep integration with β" not in ch5
    assert re.search(r"Joint problem solving predicts partnership performance with β = \.\d\d", ch5), ch5[:3000]
    # counts under 10 in words in the prose (APA): "The three mechanisms", not "The 3 mechanisms"
    assert "The three mechanisms predict" in ch5 and "Of the four path hypotheses" in ch5
    assert re.search(r"path hypotheses, (zero|one|two|three|four) (is|are) supported", ch5)
    assert "Hypotheses H1–H5c" in ch5
    assert "has no construct GOV or MKT" in ch5           # the study's moderation section, explained
    assert "Not computed for this instrument" in ch5 and "The paper's story runs from" not in ch5
    assert "The moderation model has not been computed" not in ch5        # said once, not twice
    # the Johnson–Neyman figure's caption does not describe the plot that is not there
    assert "Johnson–Neyman plot of the exploratory GOV × MKT moderation: not computed for this instrument." in ch5
    assert "confidence band" not in ch5
    ch6 = _text(out / "html" / "book" / "06_mediation.html")
    assert "H5a–c" in ch6 and "H7" not in ch6
    small = "(zero|one|two|three)"
    # " ?,": the nouns are glued (one mechanism: "total effect", journey32), and the page text joins spans by a space
    assert re.search(rf"Of the three total effects ?, {small} ha(s|ve) a percentile interval", ch6), ch6[:3000]
    assert re.search(rf"Of the three mediation hypotheses ?, {small} (is|are) supported", ch6)
    assert re.search(rf"the same verdict for {small} of them", ch6)
    ch7 = _text(out / "html" / "book" / "07_groups.html")
    assert re.search(r"The analyses below compare (two|three) groups|so the three groups are compared", ch7), ch7[:3000]
    assert not re.search(r"compare \d+ groups|Of the \d+ paths|all \d+ groups as they are|\d+ of the 3 steps", ch7)
    ch1 = _text(out / "html" / "book" / "01_introduction.html")
    assert "Inter-partner trust (TRU)" in ch1 and "Government guidance (GOV" not in ch1
    # an own instrument's constructs are not Liu's: no "Liu (2022, §4) proposes ...", no section column, no bare §
    assert "Liu (2022, §4) proposes" not in ch1 and "with their section of Liu" not in ch1 and "§" not in ch1
    ch2 = _text(out / "html" / "book" / "02_instrument.html")
    assert "Source in Liu (2022)" not in ch2 and "§t" not in ch2, ch2[:3000]
    assert "Five-factor CFA" in _text(out / "html" / "book" / "04_measurement.html")
    front = _text(out / "html" / "book" / "index.html")
    assert "built on the instrument Own instrument (test)" in front and "Inter-partner trust (TRU)" in front
    assert "with four Likert items" not in front
    pages = list((out / "html").rglob("*.html"))
    assert not [p.name for p in pages if "@example.org" in p.read_text(encoding="utf-8")]
