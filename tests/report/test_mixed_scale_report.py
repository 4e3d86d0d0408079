"""What the report and the book say about the answer scale when constructs or items have scales of their own
(GOV..VAL 1-5, TAL 1-4, COL 1-7, INT 0-10): the instrument chapter's scale sentence, the robustness chapter's
"five-point" / "five answer codes", the groups chapter's points and the thresholds table's note on empty cells.
On the study's one-scale instrument every text stays what it was.  Instruments are written to ``tmp_path``."""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from iur_survey.instrument import load_instrument
from iur_survey.measure import cronbach_alpha
from iur_survey.report import paper, sem_tables
from iur_survey.report.codebook import codes_text, points_text, scale_phrase
from iur_survey.report.format import num
from iur_survey.report.groups import groups_glue
from iur_survey.sem import sem

STUDY = load_instrument()
BOOK = Path(__file__).resolve().parents[2] / "book"
W4 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Agree"], 4: ["Strongly agree"]}
W7 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Somewhat disagree"], 4: ["Neither agree nor disagree"],
      5: ["Somewhat agree"], 6: ["Agree"], 7: ["Strongly agree"]}


def _instrument(tmp_path, constructs: dict, items: dict | None = None, name: str = "inst.yaml"):
    """The study's instrument with scales of their own: ``constructs`` / ``items`` map a code to its scale."""
    doc = copy.deepcopy(STUDY.raw)
    for con, scale in constructs.items():
        doc["constructs"][con]["scale"] = scale
    for item, scale in (items or {}).items():
        doc["items"][item]["scale"] = scale
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_instrument(path), path


def _mixed(tmp_path):
    return _instrument(tmp_path, {"TAL": {"min": 1, "max": 4, "labels": W4},
                                  "COL": {"min": 1, "max": 7, "labels": W7}, "INT": {"min": 0, "max": 10}})


def test_one_scale_texts_are_unchanged():
    # the words the book printed before scales of their own existed
    assert points_text(STUDY) == "five-point"
    assert codes_text(STUDY) == "five"
    assert scale_phrase(STUDY) == "answered on a scale from 1 (Strongly disagree) to 5 (Strongly agree)"
    assert groups_glue(None, None, None, STUDY)["scale_points"] == ("text", "five-point")


def test_mixed_scales_are_named_not_the_top_level_one(tmp_path):
    inst, _ = _mixed(tmp_path)
    assert points_text(inst) == "4- to 11-point"
    assert codes_text(inst) == "4 to 11"
    assert groups_glue(None, None, None, inst)["scale_points"] == ("text", "4- to 11-point")
    assert scale_phrase(inst) == (
        "answered on scales of their own: GOV, MKT, BEN, VAL from 1 (Strongly disagree) to 5 (Strongly agree); "
        "TAL from 1 (Strongly disagree) to 4 (Strongly agree); COL from 1 (Strongly disagree) to 7 "
        "(Strongly agree); INT from 0 to 10")
    assert "five" not in points_text(inst) + codes_text(inst)


def test_every_item_on_another_scale_than_the_top_level_one(tmp_path):
    # the top-level 1-5 scale is used by no item: the texts name the items' 1-7 scale, once
    inst, _ = _instrument(tmp_path, {c: {"min": 1, "max": 7, "labels": W7} for c in STUDY.constructs})
    assert inst.mixed_scales
    assert points_text(inst) == "seven-point" and codes_text(inst) == "seven"
    assert scale_phrase(inst) == "answered on a scale from 1 (Strongly disagree) to 7 (Strongly agree)"


def test_an_item_with_its_own_scale_is_named_as_an_item(tmp_path):
    inst, _ = _instrument(tmp_path, {}, {"INT4": {"min": 0, "max": 10}})
    assert scale_phrase(inst) == ("answered on scales of their own: GOV, MKT, BEN, VAL, TAL, COL, INT1, INT2, "
                                  "INT3 from 1 (Strongly disagree) to 5 (Strongly agree); INT4 from 0 to 10")
    assert points_text(inst) == "5- to 11-point"


def _threshold_results(counts: dict[str, int], instrument: str | None = None) -> dict:
    est = [{"lhs": item, "op": "|", "rhs": f"t{k}", "est": -1.0 + 0.2 * k, "se": 0.05, "pvalue": None,
            "std.all": -1.0 + 0.2 * k} for item, n in counts.items() for k in range(1, n + 1)]
    return {"estimates": est, "estimator": "WLSMV", "call": {"options": {"instrument": instrument}}}


def test_thresholds_note_tells_a_shorter_scale_from_an_unanswered_category(tmp_path):
    inst, path = _mixed(tmp_path)
    # GOV1 5 categories, TAL1 4, TAL2 with its 4th category unanswered, COL1 7, INT1 11
    res = _threshold_results({"GOV1": 4, "TAL1": 3, "TAL2": 2, "COL1": 6, "INT1": 10}, str(path))
    note = paper.thresholds_apa(res, instrument=inst).note
    assert "its scale has fewer points (the scales: 1-5; TAL 1-4; COL 1-7; INT 0-10)" in note
    assert "not answered (thresholds estimated of those its scale has: TAL2 2 of 3)" in note
    assert "fewer categories in the data)" not in note
    # tables (paper_tables) read the instrument the fit records
    tabs = [t for t in paper.paper_tables([res]) if t.title.startswith("Thresholds")]
    assert tabs and tabs[0].note == note
    # every category answered: only the scales are named
    full = paper.thresholds_apa(_threshold_results({"GOV1": 4, "TAL1": 3, "INT1": 10}), instrument=inst).note
    assert "its scale has fewer points" in full and "not answered" not in full


def test_thresholds_note_on_one_scale_is_unchanged(tmp_path):
    res = _threshold_results({"GOV1": 4, "GOV2": 3})
    old = " An empty cell: the item has no such threshold (fewer categories in the data)."
    assert old in paper.thresholds_apa(res).note
    assert old in paper.thresholds_apa(res, instrument=STUDY).note
    # a recorded instrument that is gone: the table stays, with the general note, and a warning says why
    gone = _threshold_results({"GOV1": 4, "GOV2": 3}, str(tmp_path / "moved.yaml"))
    with pytest.warns(paper.InstrumentUnreadWarning, match=re.escape(str(tmp_path / "moved.yaml"))):
        assert paper._threshold_instrument(gone) is None
    with pytest.warns(paper.InstrumentUnreadWarning, match="scales of their own"):
        assert old in [t for t in paper.paper_tables([gone]) if t.title.startswith("Thresholds")][0].note


def test_an_unreadable_instrument_is_said_not_dropped_from_the_notes(tmp_path):
    """Left out s32: paper._instrument_of answered None in silence for a recorded instrument that cannot be read
    (the thresholds and mixed-scale notes then read as for one scale, without a word).  Now an
    InstrumentUnreadWarning names the file and says what the notes do without it, as the group wordings do."""
    bad = tmp_path / "broken.yaml"
    bad.write_text("scale: [1, 5\nconstructs: {", encoding="utf-8")
    res = _threshold_results({"GOV1": 4, "GOV2": 3}, str(bad))
    with pytest.warns(paper.InstrumentUnreadWarning, match=re.escape(str(bad))) as said:
        assert paper._instrument_of(res) is None
    assert "the instrument cannot be read" in str(said[0].message)
    assert "scales of their own" in str(said[0].message)
    # given on the command line (--instrument) and broken: said the same way
    with pytest.warns(paper.InstrumentUnreadWarning, match=re.escape(str(bad))):
        assert paper._instrument_of({"call": {}}, bad) is None
    # the study's own instrument (none recorded): nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert paper._instrument_of({"call": {"options": {}}}) is None


def test_book_chapters_take_the_points_from_the_items_scales():
    # the chapters' code computes no number of points from the top-level scale alone
    for chapter in ("02_instrument.md", "07_groups.md", "08_robustness.md"):
        text = (BOOK / chapter).read_text(encoding="utf-8")
        assert not re.search(r"scale_max\s*-\s*_?inst\w*\.scale_min", text), chapter
    assert "scale_phrase(inst)" in (BOOK / "02_instrument.md").read_text(encoding="utf-8")
    ch8 = (BOOK / "08_robustness.md").read_text(encoding="utf-8")
    assert "points_text(_inst)" in ch8 and "codes_text(_inst)" in ch8


def _int_codes(seed: int, n: int = 600):
    """INT1-INT3 on 1-5, INT4 on 0-10 (its own scale): four items of one factor, equally good."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    ys = [0.75 * f + np.sqrt(1 - 0.75 ** 2) * rng.standard_normal(n) for _ in range(4)]
    cut = lambda y, t, lo: lo + (y[:, None] > np.asarray(t)[None, :]).sum(axis=1)      # noqa: E731
    d = pd.DataFrame({f"INT{i + 1}": cut(ys[i], [-1, -0.3, 0.3, 1], 1) for i in range(3)})
    d["INT4"] = cut(ys[3], np.linspace(-1.6, 1.6, 10), 0)
    return d


def test_alpha_of_a_construct_with_items_on_scales_of_different_lengths_is_said(tmp_path):
    inst, path = _instrument(tmp_path, {}, {"INT4": {"min": 0, "max": 10}})
    d = _int_codes(3)
    ca = cronbach_alpha(d, {"INT": list(d)})
    # the 0-10 item's variance weighs more: raw alpha below the standardized one (.736 vs .794 on seed 3)
    assert ca.loc["INT", "alpha_std"] - ca.loc["INT", "alpha"] > 0.03
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = json.loads(sem("INT =~ INT1 + INT2 + INT3 + INT4", d).to_json())
    note = paper.measurement_apa(res, d, instrument=path).note
    assert (f"INT (1-5 and 0-10; standardized α = {num(ca.loc['INT', 'alpha_std'], 3, False)})") in note
    # the study's one scale: the note is what it was
    plain = paper.measurement_apa(res, d).note
    assert "scales of different lengths" not in plain and note.startswith(plain.split(" *SE*")[0][:200])
    assert sem_tables.mixed_scale_alpha_note({"INT": 0.8}, {"INT": ["INT1", "INT4"]}, STUDY) == ""
    # constructs on one scale each (TAL 1-4, INT 0-10) are not named: alpha is on one scale within each
    mixed, _ = _mixed(tmp_path)
    assert sem_tables.mixed_scale_alpha_note({"TAL": 0.8, "INT": 0.8}, {c: k.items for c, k in
                                                                       mixed.constructs.items()}, mixed) == ""
