"""Bad input to ``iur-survey fit`` found by fuzzing from outside (issue 10): a typed one-line error naming the
file and the column (exit status 2, no traceback) instead of a LinAlgError, a minute of FIML, or a quiet result.
Data: ``iur-survey simulate --n 300 --seed 7 --format csv`` then ``iur-survey clean``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.sem import sem
from iur_survey.study import default_model

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def clean_csv(simulated_clean_csv) -> Path:
    return simulated_clean_csv("fitdata", 300, 7)


def fit_error(capsys, tmp_path, data: pd.DataFrame | Path, *extra: str) -> str:
    if isinstance(data, pd.DataFrame):
        path = tmp_path / "data.csv"
        data.to_csv(path, index=False)
    else:
        path = data
    rc = main(["fit", str(path), *extra, "--out", str(tmp_path / "results.json")])
    err = capsys.readouterr().err.strip()
    assert rc == 2, err
    assert err.startswith("iur-survey fit: error:") and "\n" not in err and "Traceback" not in err, err
    assert not (tmp_path / "results.json").exists()
    return err


def test_one_item_constant(frame, tmp_path, capsys):
    frame["GOV2"] = 3
    err = fit_error(capsys, tmp_path, frame)
    assert "data.csv:GOV2:" in err and "constant" in err


def test_one_item_entirely_blank(frame, tmp_path, capsys):
    frame["MKT3"] = np.nan
    err = fit_error(capsys, tmp_path, frame)
    assert "data.csv:MKT3:" in err and "no value" in err


@pytest.mark.parametrize("value, word", [(np.inf, "not a finite number"), (1e300, "too large")])
def test_a_non_finite_or_huge_cell(frame, tmp_path, capsys, value, word):
    frame["MKT1"] = frame["MKT1"].astype(float)
    frame.loc[17, "MKT1"] = value
    err = fit_error(capsys, tmp_path, frame)
    assert "data.csv:19:MKT1:" in err and word in err            # line 19 of the CSV: header + 17 rows before


def test_ninety_percent_blank_fails_before_estimating(frame, tmp_path, capsys):
    items = [c for c in frame.columns if c not in ("response_id", "role")]
    vals = frame[items].to_numpy(float)
    vals[np.random.default_rng(1).random(vals.shape) < 0.9] = np.nan
    frame[items] = vals
    err = fit_error(capsys, tmp_path, frame)
    assert "never observed together" in err


def test_missing_value_codes_left_in_an_item(frame, tmp_path, capsys):
    frame.loc[[3, 40, 41], "VAL2"] = -99
    err = fit_error(capsys, tmp_path, frame)
    assert "data.csv:5:VAL2:" in err and "-99" in err and "missing-value code" in err


def test_a_negative_fixed_variance(clean_csv, tmp_path, capsys):
    model = tmp_path / "neg.lav"
    model.write_text(default_model() + "\nGOV1 ~~ -1*GOV1\n", encoding="utf-8")
    err = fit_error(capsys, tmp_path, clean_csv, "--model", str(model))
    assert "neg.lav" in err and "GOV1 ~~ -1*GOV1" in err and "negative" in err


def test_custom_model_with_a_constant_item(frame, tmp_path, capsys):
    frame["GOV2"] = 4
    model = tmp_path / "cfa.lav"
    model.write_text("F =~ GOV1 + GOV2 + GOV3\n", encoding="utf-8")
    err = fit_error(capsys, tmp_path, frame, "--model", str(model))
    assert "GOV2" in err and "constant" in err


def test_a_gbk_model_file_with_a_chinese_comment(clean_csv, tmp_path, capsys):
    model = tmp_path / "gbk.lav"
    model.write_bytes(("# 默认模型：政府引导、市场配置\n" + default_model()).encode("gbk"))
    out = tmp_path / "results.json"
    assert main(["fit", str(clean_csv), "--model", str(model), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["converged"] is True


def test_a_model_file_in_no_expected_encoding(clean_csv, tmp_path, capsys):
    model = tmp_path / "utf16.lav"
    model.write_bytes(default_model().encode("utf-16"))
    err = fit_error(capsys, tmp_path, clean_csv, "--model", str(model))
    assert "UTF-8" in err and "GB18030" in err


def test_a_non_recursive_pair_warns_as_lavaan_does():
    """lavaan 0.6.14 (make_nonrecursive_ref.R) fits it and warns that the model may not be identified."""
    ref = json.loads((DATA / "nonrecursive_300.lavaan.json").read_text(encoding="utf-8"))
    assert "not be inverted" in ref["warnings"] and "not" in ref["warnings"] and "identified" in ref["warnings"]
    res = sem(ref["model"], pd.read_csv(DATA / "nonrecursive_300.csv"))
    text = " ".join(res.warnings)
    assert "non-recursive" in text and "identified" in text


def test_out_never_overwrites_the_data(clean_csv, tmp_path, capsys):
    data = tmp_path / "clean.csv"
    data.write_bytes(clean_csv.read_bytes())
    rc = main(["fit", str(data), "--out", str(data)])
    err = capsys.readouterr().err
    assert rc == 2 and "refusing to overwrite an input" in err
    assert data.read_bytes() == clean_csv.read_bytes()
