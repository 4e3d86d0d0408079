"""Microsoft Forms downloads (real32): every row is a submitted response, in English and in Spanish.

A Spanish Microsoft Forms ``.xlsx`` (MGabrielaRusso/encuesta_biometria_UMAI ``uso_R_UMAI.xlsx``, 18 responses:
``ID, Hora de inicio, Hora de finalización, Correo electrónico, Nombre, Hora de la última modificación``, then the
questions) has a block of R questions that the 7 students who never used R left blank, followed by gender, age and
country, which everyone answered.  On 068800e the download was read as a plain workbook with its break-offs
inferred from blank last items: a column every row fills says nothing, so 5 of the 18 submitted responses (28 %)
were excluded as ``unfinished`` even with ``skip_logic`` listing the R block, and the Spanish start and completion
times were not read (no duration: the speeder rule was not evaluated).  Microsoft Forms records a response only
when it is submitted, so its download (English or Spanish headers) now has every row finished, as a Google Forms
sheet or a KoBoToolbox download has, and ``Hora de inicio``/``Hora de finalización`` give the duration as
``Start time``/``Completion time`` do.  The data here are written in the test, in the layout of the real download.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.pipeline import clean
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

ES = ["Muy en desacuerdo", "En desacuerdo", "Algo de acuerdo", "De acuerdo", "Muy de acuerdo"]
EN = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
HEAD = {"es": ["ID", "Hora de inicio", "Hora de finalización", "Correo electrónico", "Nombre",
               "Hora de la última modificación"],
        "en": ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]}
GENDER = {"es": ("¿Con qué género te identificás?", ["Mujer", "Varón"]), "en": ("Gender", ["Woman", "Man"])}


def _inst(lang):
    words = ES if lang == "es" else EN
    q, (f, m) = GENDER[lang]
    return parse_instrument({"scale": {"min": 1, "max": 5, "labels": {k + 1: [w] for k, w in enumerate(words)}},
                             "id_column": "ID", "group_column": "gender", "groups": {"female": [f], "male": [m]},
                             "columns": {q: "group", **{f"Q{i}": f"PC{i}" for i in (1, 2, 3)},
                                         **{f"R{i}": f"RU{i}" for i in (1, 2, 3)}},
                             "constructs": {"PC": {"items": ["PC1", "PC2", "PC3"]},
                                            "RU": {"items": ["RU1", "RU2", "RU3"]}}}, "forms.yaml")


def _download(tmp_path, lang, n=24):
    """The download: ids from 3 (Forms numbers every response, deleted ones too), times as date cells, ``anonymous``
    e-mails, the first-contact items, the R block blank for every third respondent, then gender and age (all)."""
    words = ES if lang == "es" else EN
    q, genders = GENDER[lang]
    start = pd.Timestamp("2025-04-16 12:28:49")
    rng = np.random.default_rng(32)
    trait = rng.integers(1, 4, size=n)
    rows = []
    for i in range(n):
        t0 = start + pd.Timedelta(minutes=17 * i)
        r = [i + 3, t0, t0 + pd.Timedelta(seconds=200 + 7 * i), "anonymous", None, None]
        ans = [words[int(min(4, max(0, trait[i] + d)))] for d in rng.integers(-1, 2, size=6)]
        r += ans[:3] + ([None] * 3 if i % 3 == 0 else ans[3:])
        r += [genders[i % 2], 20 + i % 15]
        rows.append(r)
    p = tmp_path / f"forms_{lang}.xlsx"
    pd.DataFrame(rows, columns=HEAD[lang] + ["Q1", "Q2", "Q3", "R1", "R2", "R3", q, "Edad"]).to_excel(p, index=False)
    return p


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_forms_download_has_every_row_finished(tmp_path, lang):
    inst = _inst(lang)
    raw = read_export(_download(tmp_path, lang), inst)
    assert raw.frame["_finished"].tolist() == [True] * 24
    res = clean(raw, inst)
    assert not (res.exclusions["rule"] == "unfinished").any()
    assert len(res.clean) + res.exclusions.query("action == 'excluded'")["response_id"].nunique() == 24
    kept = res.clean.set_index("response_id")
    blank = [str(i + 3) for i in range(0, 24, 3) if str(i + 3) in kept.index]
    assert blank and kept.loc[blank, ["RU1", "RU2", "RU3"]].isna().all().all()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_start_and_completion_times_give_the_duration(tmp_path, lang):
    raw = read_export(_download(tmp_path, lang), _inst(lang))
    assert raw.frame["_duration"].tolist() == [200.0 + 7 * i for i in range(24)]
    assert raw.frame["response_id"].tolist()[:2] == ["3", "4"]


def test_only_the_forms_headers_in_their_place_mark_a_download():
    from iur_survey.read.assemble import is_msforms

    assert is_msforms(HEAD["es"] + ["Q1"]) and is_msforms(HEAD["en"])
    assert not is_msforms(["Hora de inicio", "ID", "Hora de finalización"])
    assert not is_msforms(["ID", "Start time", "End time"])


@pytest.mark.parametrize("word", ["Promedio", "Média", "Moyenne", "Mittelwert", "Summe:", "合計", "평균"])
def test_a_summary_row_in_another_language_is_refused(tmp_path, word):
    """A row of (rounded) means that an analyst adds under the data, labelled in the spreadsheet's language: on
    068800e only English and Chinese labels were known, so "Promedio" or "Mittelwert" was read as one more
    respondent (the rounded means pass every screening rule), and in a Forms download even a row with its times
    only was kept as a respondent with no answer."""
    from iur_survey.errors import ReadError

    inst = _inst("es")
    p = _download(tmp_path, "es")
    import openpyxl
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    n = ws.max_row
    ws.append([])
    ws.append([word, None, None, None, None, None] + ["Algo de acuerdo"] * 6 + [None, None])
    wb.save(p)
    with pytest.raises(ReadError, match=rf":{n + 2}:ID: this row looks like a summary of the data"):
        read_export(p, inst)
