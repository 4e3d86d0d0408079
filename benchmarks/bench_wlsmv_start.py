"""Benchmark: start values of one-group WLSMV fits -- converged share, iterations, optimum and estimates
against lavaan 0.6.14's ``sem(..., ordered = TRUE)``.

Cases (``--sim`` simulated ones, default 200, plus real data):

* ``--mixed`` (default 0) simulated sets of the same kind, ``default_rng(1500 + i)``, every second item left
  continuous (lavaan: ``ordered =`` the others), delta parameterization;
* simulated ordinal data sets, ``numpy.random.default_rng(1000 + i)``: N from 100 to 1000, 3 to 7
  categories, one to three factors (some with a regression between factors, some a second-order factor),
  loadings 0.3-0.9 (a third of the sets with a weak first item, 0.15-0.35: the marker), about a third
  with sparse categories (an extreme category of 1-3 %), a quarter ``std.lv = TRUE``, a fifth
  ``parameterization = "theta"``;
* ``lavaan::HolzingerSwineford1939`` x1-x9 cut at quantiles into 3 or 4 categories (all rows, each
  school), the three-factor model, delta and theta;
* ``psych::bfi`` items (complete cases of tests/sem/ordinal_refs/bfi_2800.csv): the five factors on
  25 items, agreeableness + conscientiousness, and random subsamples of 250 and 500 rows.

Ours: ``iur_survey.sem.sem(model, data, ordered=True)`` in this process (the package first on
``sys.path``: ``PYTHONPATH`` decides which tree is measured, e.g. main for "before");
lavaan: benchmarks/wlsmv_start_lavaan.R over the same CSV files (``--no-r``: skip it, ``--r-json``:
reuse its output).

Printed: converged share and median / max iterations of each engine, the verdicts side by side (both /
ours only / lavaan only / neither), and where both converge the range of ``fmin`` ours minus lavaan's and
the largest |difference| of the estimates; then every case with a different optimum (|d fmin| > 1e-7 or
|d est| > 1e-3) or a different verdict.  ``--json`` writes the per-case results.

Usage: ``python benchmarks/bench_wlsmv_start.py [--sim 200] [--mixed 0] [--json out.json] [--r-json lavaan.json]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

ROOT = Path(__file__).resolve().parents[1]
R_SCRIPT = ROOT / "benchmarks" / "wlsmv_start_lavaan.R"
HS = ROOT / "tests" / "reference" / "data" / "hs1939.csv"
BFI = ROOT / "tests" / "sem" / "ordinal_refs" / "bfi_2800.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BIG5 = "\n".join(f"{f} =~ " + " + ".join(f"{f[0]}{k}" for k in range(1, 6))
                 for f in ("Agr", "Con", "Ext", "Neu", "Ope"))


def _simulate(i: int, mixed: bool = False) -> tuple[pd.DataFrame, str, bool, str]:
    """Case ``i`` (``mixed``: every second item left continuous, y* rounded to 3 decimals)."""
    rng = np.random.default_rng(1000 + i)
    n = int(rng.choice([100, 150, 200, 300, 500, 750, 1000]))
    ncat = int(rng.integers(3, 8))
    kind = str(rng.choice(["1f", "2f", "3f", "2f_reg", "2nd"], p=[.25, .3, .2, .15, .1]))
    nf = {"1f": 1, "2f": 2, "3f": 3, "2f_reg": 2, "2nd": 3}[kind]
    per = int(rng.integers(4, 9)) if nf == 1 else int(rng.integers(3, 6))
    lam = rng.uniform(0.3, 0.9, size=(nf, per))
    if rng.random() < 1 / 3:
        lam[:, 0] = rng.uniform(0.15, 0.35, size=nf)
    phi = np.eye(nf)
    for a in range(nf):
        for b in range(a):
            phi[a, b] = phi[b, a] = rng.uniform(0.3, 0.6)
    f = rng.multivariate_normal(np.zeros(nf), phi, size=n)
    p = nf * per
    L = np.zeros((p, nf))
    for a in range(nf):
        L[a * per:(a + 1) * per, a] = lam[a]
    ystar = f @ L.T + rng.normal(size=(n, p)) * np.sqrt(1 - (L ** 2).sum(axis=1))
    sparse = rng.random() < 1 / 3
    cols = {}
    for j in range(p):
        if sparse and rng.random() < 0.6:       # an extreme category of 1-3 %
            tail = rng.uniform(0.01, 0.03)
            body = (1 - tail) * np.cumsum(rng.dirichlet(np.full(ncat - 1, 4.0)))[:-1]
            probs = np.r_[body, 1 - tail] if rng.random() < 0.5 else np.r_[tail, tail + body]
        else:
            probs = np.cumsum(rng.dirichlet(np.full(ncat, 4.0)))[:-1]
        cols[f"y{j + 1}"] = np.round(ystar[:, j], 3) if mixed and j % 2 else np.digitize(ystar[:, j], norm.ppf(probs)) + 1
    d = pd.DataFrame(cols)
    names = [f"F{a + 1}" for a in range(nf)]
    lines = [f"{names[a]} =~ " + " + ".join(f"y{a * per + k + 1}" for k in range(per)) for a in range(nf)]
    if kind == "2f_reg":
        lines.append("F2 ~ F1")
    if kind == "2nd":
        lines.append("G =~ F1 + F2 + F3")
    std_lv = bool(rng.random() < 0.25) and kind != "2nd"
    param = "theta" if rng.random() < 0.2 else "delta"
    return d, "\n".join(lines), std_lv, param


def _cases(tmp: Path, nsim: int, nmixed: int = 0) -> list[dict]:
    out = []

    def add(cid, d, model, std_lv=False, param="delta", ordered=None):
        path = tmp / f"{cid}.csv"
        d.to_csv(path, index=False)
        out.append(dict(id=cid, csv=str(path), model=model, std_lv=std_lv, parameterization=param,
                        ordered=ordered))

    for i in range(nsim):
        d, model, std_lv, param = _simulate(i)
        if (d.nunique() < 2).any():          # an item with one category: no thresholds to fit
            continue
        add(f"sim{i:03d}", d, model, std_lv, param)
    for i in range(nmixed):
        d, model, std_lv, _ = _simulate(500 + i, mixed=True)
        ordered = [c for k, c in enumerate(d.columns) if k % 2 == 0]
        if (d[ordered].nunique() < 2).any():
            continue
        add(f"mix{i:03d}", d, model, std_lv, "delta", ordered)
    hs = pd.read_csv(HS)
    for k in (3, 4):
        cut = hs[[f"x{j}" for j in range(1, 10)]].apply(
            lambda c: np.searchsorted(np.quantile(c, np.arange(1, k) / k), c, side="right") + 1)
        for who, rows in (("all", slice(None)), ("pasteur", hs.school == "Pasteur"),
                          ("grant", hs.school == "Grant-White")):
            dd = cut.loc[rows].reset_index(drop=True)
            for param in ("delta", "theta"):
                add(f"hs{k}_{who}_{param}", dd, HS_MODEL, False, param)
            add(f"hs{k}_{who}_stdlv", dd, HS_MODEL, True, "delta")
    bfi = pd.read_csv(BFI).drop(columns="gender").dropna().astype(int).reset_index(drop=True)
    add("bfi_big5", bfi, BIG5)
    add("bfi_big5_stdlv", bfi, BIG5, True)
    ac = "Agr =~ A1 + A2 + A3 + A4 + A5\nCon =~ C1 + C2 + C3 + C4 + C5"
    add("bfi_AC", bfi[[f"{a}{k}" for a in "AC" for k in range(1, 6)]], ac)
    add("bfi_AC_theta", bfi[[f"{a}{k}" for a in "AC" for k in range(1, 6)]], ac, False, "theta")
    rng = np.random.default_rng(99)
    for size in (250, 500):
        for r in range(3):
            sub = bfi.iloc[rng.choice(len(bfi), size, replace=False)].reset_index(drop=True)
            if (sub.nunique() < 2).any():
                continue
            add(f"bfi_big5_n{size}_{r}", sub, BIG5)
            add(f"bfi_AC_n{size}_{r}", sub[[f"{a}{k}" for a in "AC" for k in range(1, 6)]], ac, r == 0)
    return out


def _ours(case: dict) -> dict:
    from iur_survey.sem import sem
    d = pd.read_csv(case["csv"])
    t = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sem(case["model"], d, ordered=case.get("ordered") or True, std_lv=case["std_lv"],
                      parameterization=case["parameterization"])
    except Exception as e:           # noqa: BLE001 -- a typed refusal is a verdict too
        return dict(id=case["id"], converged=False, error=f"{type(e).__name__}: {e}",
                    seconds=time.process_time() - t)
    res = dict(id=case["id"], converged=bool(fit.converged), iterations=int(fit.iterations),
               seconds=time.process_time() - t, warnings=list(fit.warnings))
    if fit.converged:
        fm = fit.fit_measures()
        pe = fit.parameter_estimates(standardized=False)
        pe = pe[pe.op.isin(["=~", "~~", "~", "|", "~*~"])]
        res.update(fmin=float(fm["fmin"]), chisq=float(fm["chisq"]),
                   est={f"{r.lhs} {r.op} {r.rhs}": float(r.est) for r in pe.itertuples()})
    return res


def compare(ours: list[dict], lav: list[dict]) -> dict:
    """Verdicts side by side and, where both converge, the optimum reached."""
    by = {r["id"]: r for r in lav}
    rows = []
    for o in ours:
        r = by[o["id"]]
        row = dict(id=o["id"], ours=o["converged"], lavaan=bool(r["converged"]),
                   it_ours=o.get("iterations"), it_lav=r.get("iterations"))
        if o["converged"] and r["converged"]:
            row["dfmin"] = o["fmin"] - r["fmin"]
            common = [k for k in o["est"] if k in r["est"]]
            row["dest"] = max(abs(o["est"][k] - r["est"][k]) for k in common)
            row["maxabs"] = max(abs(o["est"][k]) for k in common)
        row["error"] = o.get("error") or r.get("error")
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", type=int, default=200)
    ap.add_argument("--mixed", type=int, default=0, help="simulated cases with every second item continuous")
    ap.add_argument("--json", help="write the per-case results here")
    ap.add_argument("--r-json", help="lavaan's results (written by the R script if absent)")
    ap.add_argument("--no-r", action="store_true")
    a = ap.parse_args(argv)
    import iur_survey
    print("package:", Path(iur_survey.__file__).parent)
    with tempfile.TemporaryDirectory() as tmp:
        cases = _cases(Path(tmp), a.sim, a.mixed)
        man = Path(tmp) / "manifest.json"
        man.write_text(json.dumps(cases))
        lav = None
        if not a.no_r:
            rj = Path(a.r_json) if a.r_json else Path(tmp) / "lavaan.json"
            if not rj.exists():
                subprocess.run(["Rscript", str(R_SCRIPT), str(man), str(rj)], check=True)
            lav = json.loads(rj.read_text())
        ours = [_ours(c) for c in cases]
    if a.json:
        Path(a.json).write_text(json.dumps(dict(ours=ours, lavaan=lav), default=float))
    conv = np.array([o["converged"] for o in ours])
    its = np.array([o["iterations"] for o in ours if o["converged"]])
    print(f"cases {len(ours)}: ours converged {conv.sum()} ({conv.mean():.1%}), iterations median "
          f"{np.median(its):.0f} max {its.max()}, cpu {sum(o['seconds'] for o in ours):.1f} s")
    if lav is None:
        return 0
    tab = compare(ours, lav)
    lconv = tab.lavaan.to_numpy()
    lits = tab.it_lav[tab.lavaan].astype(float)
    print(f"lavaan converged {lconv.sum()} ({lconv.mean():.1%}), iterations median {lits.median():.0f} "
          f"max {lits.max():.0f}")
    both = tab[tab.ours & tab.lavaan]
    print(f"both {len(both)}, ours only {int((tab.ours & ~tab.lavaan).sum())}, lavaan only "
          f"{int((~tab.ours & tab.lavaan).sum())}, neither {int((~tab.ours & ~tab.lavaan).sum())}")
    if len(both):
        print(f"where both: fmin ours - lavaan in [{both.dfmin.min():.3g}, {both.dfmin.max():.3g}], "
              f"max |d est| {both.dest.max():.3g} (median {both.dest.median():.2g})")
    odd = tab[(tab.ours != tab.lavaan) | (tab.dfmin.abs() > 1e-7) | (tab.dest > 1e-3)]
    with pd.option_context("display.width", 200, "display.max_colwidth", 80, "display.max_rows", 500):
        print(odd.to_string(index=False) if len(odd) else "no case with a different optimum or verdict")
    return 0


if __name__ == "__main__":
    sys.exit(main())
