"""The replication pack of an ordinal (WLSMV, Wu & Estabrook 2016) invariance fit: each step's complete lavaan
syntax is written (the model the package fitted, the same as semTools' measEq.syntax) and replicate.R fits it
with lavaan() and compares the difference tests by lavTestLRT() with the method mapped to lavaan's arguments.

No R here: the lavaan side was run by hand (the fixer's note); the syntax is checked against measEq.syntax's,
stored in tests/sem/ordinal_refs (made by the R scripts there)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.replication import verify_manifest
from iur_survey.sem.compare import SATORRA2000_SCALED_SHIFTED, lavtestlrt_args
from iur_survey.sem.wlsmv_invariance import WE_STEPS, we_lavaan_syntaxes

REFS = Path(__file__).resolve().parents[1] / "sem" / "ordinal_refs"
AUDIT = Path(__file__).resolve().parents[1] / "sem" / "invariance_audit_refs"
TWO = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
ONE = "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"
_TERM = re.compile(r"(c\([^)]*\)|[^*+\s]+)\*\s*([A-Za-z0-9_.]+)")


def structure(syntax: str, ngroups: int, parameterization: str) -> dict:
    """(lhs, op, rhs) -> per group: the fixed value, or ("free", equality class); lavaan's defaults for a row
    not written (a scale ~*~ or a theta residual variance: 1)."""
    spec: dict = {}
    for line in syntax.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        op = next(o for o in ("=~", "~*~", "~~", "|", "~") if f" {o} " in line)
        lhs, rhs = (x.strip() for x in line.split(f" {op} ", 1))
        for mod, var in _TERM.findall(rhs):
            vals = [v.strip() for v in mod[2:-1].split(",")] if mod.startswith("c(") else [mod] * ngroups
            row = spec.setdefault((lhs, op, var), [{"fixed": None, "label": None} for _ in range(ngroups)])
            for g, v in enumerate(vals):
                if v == "NA":
                    continue
                try:
                    row[g]["fixed"] = float(v)
                except ValueError:
                    row[g]["label"] = v
    out = {}
    for key, row in spec.items():
        labels = {}
        out[key] = tuple(r["fixed"] if r["fixed"] is not None
                         else ("free", labels.setdefault(r["label"] or f"_{g}", len(labels)))
                         for g, r in enumerate(row))
    return out


def same_model(ours: str, theirs: str, ngroups: int, parameterization: str) -> None:
    a, b = structure(ours, ngroups, parameterization), structure(theirs, ngroups, parameterization)
    default_one = (1.0,) * ngroups
    for key in set(a) | set(b):
        lhs, op, rhs = key
        implied = default_one if (op == "~*~" or (op == "~~" and lhs == rhs and parameterization == "theta")) else None
        assert a.get(key, implied) == b.get(key, implied), (key, a.get(key), b.get(key))


@pytest.mark.parametrize("case,par,model,data", [
    ("invariance_two", "delta", TWO, "wlsmv_groups_630.csv"), ("invariance_one", "delta", ONE, "wlsmv_groups_630.csv"),
    ("two", "theta", TWO, "wlsmv_groups_630.csv"), ("one", "theta", ONE, "wlsmv_groups_630.csv"),
    ("mixed", "theta", TWO, "binary")])
def test_step_syntax_is_measEq_syntax(case, par, model, data):
    """The written syntax of every step is the model of semTools' measEq.syntax (as the R references store it)."""
    refs = json.loads((REFS / ("wlsmv_refs.json" if par == "delta" else "wlsmv_theta_invariance_refs.json"))
                      .read_text())[case]
    d = pd.read_csv(AUDIT / "binary_630.csv" if data == "binary" else REFS / data)
    mine = we_lavaan_syntaxes(model, d, "G", par)
    assert list(mine) == list(WE_STEPS)
    for step, text in mine.items():
        same_model(text, refs[step]["syntax"], 3, par)


def test_lavtestlrt_args_and_unknown_method():
    assert lavtestlrt_args(SATORRA2000_SCALED_SHIFTED) == {"method": "satorra.2000", "scaled.shifted": True}
    assert lavtestlrt_args("satorra.2000 (scaled)") == {"method": "satorra.2000", "scaled.shifted": False}
    assert lavtestlrt_args("satorra.bentler.2010") == {"method": "satorra.bentler.2010"}
    assert lavtestlrt_args("default") == lavtestlrt_args(None) == {}
    with pytest.raises(ValueError, match="satorra2000"):
        lavtestlrt_args("satorra2000")


@pytest.mark.slow
@pytest.mark.parametrize("par,data", [("delta", "five"), ("theta", "binary")])
def test_ordinal_invariance_pack(tmp_path, par, data):
    """Two groups, eight items (binary a1-a4 with theta): the pack holds each step's syntax, replicate.R fits
    them with lavaan() and tests with lavTestLRT(method = "satorra.2000", scaled.shifted = TRUE)."""
    src = AUDIT / "binary_630.csv" if data == "binary" else REFS / "wlsmv_groups_630.csv"
    d = pd.read_csv(src)
    d = d.loc[d["G"].isin(["g1", "g2"]), ["G"] + [f"{x}{i}" for x in "ab" for i in range(1, 5)]]
    csv, model = tmp_path / "d.csv", tmp_path / "m.lav"
    d.to_csv(csv, index=False)
    model.write_text(TWO + "\n")
    res = tmp_path / "res.json"
    assert main(["fit", str(csv), "--model", str(model), "--estimator", "WLSMV", "--group", "G", "--invariance",
                 "--parameterization", par, "--out", str(res)]) == 0
    pack = tmp_path / "pack"
    assert main(["export-replication", str(res), "--out", str(pack)]) == 0
    files = [f"invariance/{s}.lav" for s in WE_STEPS]
    manifest = verify_manifest(pack)
    assert set(files) <= set(manifest.file) and manifest.ok.all()
    assert not (pack / "measurement.lav").exists()
    readme = (pack / "README.md").read_text()
    assert all(f"| {f} |" in readme for f in files)
    # each file is the step's syntax the package builds on the pack's data
    syn = we_lavaan_syntaxes(TWO, pd.read_csv(pack / "data.csv"), "G", par)
    for s, f in zip(WE_STEPS, files):
        assert (pack / f).read_text().strip() == syn[s].strip()
    th = (pack / "invariance" / "thresholds.lav").read_text()
    assert "b1 | c(b1.thr1, b1.thr1)*t1" in th and "F1 ~~ c(NA, NA)*F2" in th
    assert ("b1 ~~ c(1, NA)*b1" if par == "theta" else "b1 ~*~ c(1, NA)*b1") in th
    if data == "binary":        # a binary item's scale / residual variance stays 1 until the intercepts are equal
        assert ("a1 ~~ c(1, 1)*a1" if par == "theta" else "a1 ~*~ c(1, 1)*a1") in th
    script = (pack / "replicate.R").read_text()
    assert "lavTestLRT(fits[[i - 1]], f, method = meth)" not in script
    assert 'list(method = "satorra.2000", scaled.shifted = TRUE)' in script
    assert 'INV_FILES <- c("invariance/configural.lav"' in script
    assert (f'do.call("lavaan"' in script and f'parameterization = "{par}", estimator = "WLSMV", group = "G", '
            'missing = "pairwise", meanstructure = TRUE, std.lv = TRUE, int.ov.free = FALSE' in script)
    steps = json.loads(res.read_text())["invariance"]
    fitted = ", ".join("TRUE" if any(v is not None for v in s["fit"].values()) else "FALSE" for s in steps)
    assert f"INV_FITTED <- c({fitted})" in script
    assert (data == "binary") == fitted.endswith("FALSE")     # binary items: +intercepts is not fitted
    ours = json.loads((pack / "ours.json").read_text())
    assert [s["step"] for s in ours["invariance"]] == list(WE_STEPS)
    if par == "theta":          # the refit and the main lavaan call are in the theta parameterization too
        assert ours["options"]["parameterization"] == "theta" and 'parameterization = "theta"' in ours["lavaan_call"]
