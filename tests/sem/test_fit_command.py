"""`iur-survey fit`: results.json per the contract, errors as one line with file:line:col, exit status 2."""

from __future__ import annotations

import json

import pytest

from iur_survey.cli import main
from tests.reference.compare import load_reference, reference_estimates, reference_fit

CONTRACT_FIT = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
                "aic", "bic", "logl"]
EST_KEYS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all",
            "std.all.se", "std.all.z", "std.all.pvalue", "std.all.ci.lower", "std.all.ci.upper"]


def run(tmp_path, *args):
    out = tmp_path / "results.json"
    code = main(["fit", *map(str, args), "--out", str(out)])
    return code, (json.loads(out.read_text()) if out.exists() else None)


def test_default_model_on_clean_data_matches_lavaan(tmp_path, capsys):
    code, res = run(tmp_path, "tests/reference/data/complete_800.csv")
    assert code == 0
    assert res["n"] == 800 and res["estimator"] == "ML" and res["converged"] is True and res["warnings"] == []
    assert set(CONTRACT_FIT) <= set(res["fit"])
    ref = load_reference("ml_complete_800")
    rf = reference_fit(ref)
    for k in CONTRACT_FIT:
        assert res["fit"][k] == pytest.approx(rf[k], rel=1e-4, abs=1e-3), k
    assert all(list(e) == EST_KEYS for e in res["estimates"])
    lav = reference_estimates(ref)
    assert [(e["lhs"], e["op"]) for e in res["estimates"]] == list(zip(lav.lhs, lav.op))
    a1 = next(e for e in res["estimates"] if e["label"] == "a1")
    want = lav[lav.label == "a1"].iloc[0]
    assert a1["est"] == pytest.approx(want.est, abs=1e-4) and a1["se"] == pytest.approx(want.se, rel=5e-3)
    fixed = res["estimates"][0]                         # GOV =~ GOV1, fixed to 1
    assert fixed["se"] == 0 and fixed["z"] is None and fixed["pvalue"] is None
    assert res["r2"]["COL"] == pytest.approx(ref["r2"]["COL"], abs=1e-4)
    assert isinstance(res["seconds"], float)
    assert "chisq=327.927" in capsys.readouterr().out


def test_missing_values_give_fiml_and_mlr_adds_robust_measures(tmp_path):
    code, res = run(tmp_path, "tests/reference/data/missing_800.csv", "--estimator", "MLR")
    assert code == 0
    assert res["missing"] == "fiml" and res["estimator"] == "MLR"
    rf = reference_fit("mlr_fiml_missing_800")
    for k in ("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust"):
        assert res["fit"][k] == pytest.approx(rf[k], abs=1e-3), k


def test_listwise_and_custom_model(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nCOL =~ COL1 + COL2 + COL3 + COL4\nCOL ~ a*GOV\n")
    code, res = run(tmp_path, "tests/reference/data/missing_800.csv", "--model", model, "--missing", "listwise")
    assert code == 0
    assert res["missing"] == "listwise" and res["n"] < 800
    assert any("listwise" in w for w in res["warnings"])
    assert [e["label"] for e in res["estimates"] if e["op"] == "~"] == ["a"]


def test_syntax_error_is_one_line_with_file_line_column(tmp_path, capsys):
    model = tmp_path / "bad.lav"
    model.write_text("GOV =~ GOV1 + GOV2 + GOV3\nCOL ~ 2GOV\n")
    code, res = run(tmp_path, "tests/reference/data/complete_800.csv", "--model", model)
    assert code == 2 and res is None
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"{model}:2:8: unexpected 'GOV' after the number '2'" in err


def test_unknown_variable_names_its_place(tmp_path, capsys):
    model = tmp_path / "unknown.lav"
    model.write_text("GOV =~ GOV1 + GOV2 + GOV3\nCOL =~ COL1 + COLX\n")
    code, _ = run(tmp_path, "tests/reference/data/complete_800.csv", "--model", model)
    assert code == 2
    assert f"{model}:2:15: variable 'COLX' is not in the data" in capsys.readouterr().err


def test_summary_flag_prints_lavaan_like_blocks(tmp_path, capsys):
    code, _ = run(tmp_path, "tests/reference/data/complete_800.csv", "--summary")
    assert code == 0
    out = capsys.readouterr().out
    for block in ("Model Test User Model:", "Comparative Fit Index (CFI)", "Latent Variables:", "Regressions:",
                  "Covariances:", "Variances:", "Defined Parameters:", "ind_GOV"):
        assert block in out, block


def test_empty_data_file(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _ = run(tmp_path, empty)
    assert code == 2 and "empty" in capsys.readouterr().err


@pytest.mark.parametrize("value, said", [("0", "must be >= 1, got 0 (1 = no Dask)"), ("-3", "must be >= 1, got -3"),
                                         ("two", "not a whole number: 'two'")])
def test_workers_below_one_are_refused(tmp_path, capsys, value, said):
    """--workers 0 or -3 was taken as 1 without a word (audit s23 daskaudit C5)."""
    with pytest.raises(SystemExit) as ei:
        main(["fit", str(tmp_path / "x.csv"), "--workers", value, "--out", str(tmp_path / "r.json")])
    assert ei.value.code == 2 and said in capsys.readouterr().err
