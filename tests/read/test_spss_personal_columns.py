"""An SPSS export's personal columns are read as a text export's are (outside audit 8).

The .sav reader read only the matched variables, so RecipientEmail, names and phones were never loaded: the
duplicate rule saw no e-mail address (the same person sending the same answers twice from a Qualtrics SPSS
download was kept twice, while the same rows as CSV excluded the repeat), and a response id equal to a value of
the export's own name column went into the clean data where the CSV reader refuses it."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from iur_survey.errors import ReadError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export

pyreadstat = pytest.importorskip("pyreadstat")

ROLES = {1.0: "Enterprise", 2.0: "University", 3.0: "Research institute", 4.0: "Government"}


def _frame(ids, first_names, emails):
    ins = load_instrument()
    n = len(ids)
    d = {"ResponseId": ids, "role": [1.0, 2.0, 1.0, 2.0, 3.0, 4.0][:n],
         "RecipientFirstName": first_names, "RecipientEmail": emails}
    answers = [4.0, 4.0, 3.0, 2.0, 5.0, 1.0][:n]
    for k, it in enumerate(ins.item_codes):
        d[it] = [(a + k) % 5 + 1 for a in answers]
    d["ATT1"] = [4.0] * n
    return ins, pd.DataFrame(d)


def _both(tmp_path, df):
    sav, csv = tmp_path / "x.sav", tmp_path / "x.csv"
    pyreadstat.write_sav(df, str(sav), variable_value_labels={"role": ROLES})
    df.assign(role=df["role"].map(ROLES)).to_csv(csv, index=False)
    return sav, csv


def test_sav_email_groups_as_csv(tmp_path):
    ins, df = _frame([f"R_{i}" for i in range(6)], ["Lei", "Lei", "", "", "Na", ""],
                     ["lei.wu@x.cn", "Lei.Wu@x.cn ", "", "", "na@y.cn", ""])
    sav, csv = _both(tmp_path, df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = {p.suffix: read_export(p, ins).email_groups for p in (sav, csv)}
    assert [h for h, _ in got[".sav"]] == ["RecipientEmail"]
    assert got[".sav"][0][1].tolist() == got[".csv"][0][1].tolist()
    codes = got[".sav"][0][1]
    assert codes[0] == codes[1] != -1 and codes[2] == -1


def test_sav_id_from_a_name_column_refused(tmp_path):
    ins, df = _frame(["lei.wu91", "R_2", "R_3", "R_4", "R_5", "R_6"], ["lei.wu91", "a", "b", "c", "d", "e"],
                     [""] * 6)
    sav, csv = _both(tmp_path, df)
    for p in (csv, sav):
        with pytest.raises(ReadError, match="RecipientFirstName"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read_export(p, ins)
