"""An attention check left without value labels beside item variables whose labels move the codes is refused, as
an unlabelled item variable is (outside audit 8).  Before, a .sav coded 1 = Strongly agree with labels on the items
only was read with the check's codes as they stand: every careful "Agree" (code 2) read as a failed check, and the
attention rule excluded 336 of 341 records, with a warning only."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from iur_survey.errors import UnknownLabelError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export

pyreadstat = pytest.importorskip("pyreadstat")

REVERSED = {1.0: "Strongly agree", 2.0: "Agree", 3.0: "Neither agree nor disagree", 4.0: "Disagree",
            5.0: "Strongly disagree"}


def _sav(path, label_check: bool):
    ins = load_instrument()
    d = {"ResponseId": ["R_1", "R_2", "R_3"], "role": ["Enterprise", "University", "Government"]}
    for k, it in enumerate(ins.item_codes):
        d[it] = [1.0 + k % 5, 2.0, 4.0]
    d["ATT1"] = [2.0, 2.0, 2.0]                    # "Agree" in this file's coding
    labels = {it: REVERSED for it in ins.item_codes}
    if label_check:
        labels["ATT1"] = REVERSED
    pyreadstat.write_sav(pd.DataFrame(d), str(path), variable_value_labels=labels)
    return ins


def test_unlabelled_check_beside_recoded_items_refused(tmp_path):
    p = tmp_path / "x.sav"
    ins = _sav(p, label_check=False)
    with pytest.raises(UnknownLabelError, match=r"attention-check variable ATT1 has no value labels"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read_export(p, ins)


def test_labelled_check_recoded_with_the_items(tmp_path):
    p = tmp_path / "x.sav"
    ins = _sav(p, label_check=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_export(p, ins)
    assert raw.frame["ATT1"].tolist() == [4.0, 4.0, 4.0]
    assert raw.frame["GOV1"].tolist() == [5.0, 4.0, 2.0]
