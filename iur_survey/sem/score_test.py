"""Score (Lagrange multiplier) tests of releasing constraints or adding parameters, as lavaan 0.6.14's
``lavTestScore()``.

* ``lav_test_score(res)`` releases the model's equality constraints (lavaan's ``==`` rows, e.g. the
  cross-group equalities of ``group_equal``): the total test of releasing them all, and one univariate
  1-df test per constraint.  A large univariate statistic points at a parameter that is not invariant:
  partial invariance found from the data, one constraint at a time (exploratory: after releasing one,
  refit and test again, as each test assumes the others hold).
* ``lav_test_score(res, add=["F =~ x9", "x7 ~~ x8"])`` tests adding parameters (fixed at 0 in the fit).

With ``J`` the unit expected information of the unconstrained parameters (each free table row its own
parameter), ``s`` the gradient of ``logl / N`` and ``R`` the constraint Jacobian, lavaan's statistic is
``N s' [J, R1'; R1, 0]^+ s`` (top-left block of the generalized inverse of the bordered matrix, ``R1``
the constraints kept), ``df`` the number released.  As lavaan 0.6.14, a fit with robust standard
errors (MLR) gets this ordinary score test (lavaan warns that no robust version is implemented).

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(3)
>>> f = rng.standard_normal((600, 1))
>>> X = f * [1.0, 0.8, 0.7, 0.6] + rng.standard_normal((600, 4)) * 0.6
>>> X[300:, 3] += f[300:, 0] * 0.5                  # the 4th loading differs in group b
>>> d = pd.DataFrame(X, columns=["x1", "x2", "x3", "x4"]).assign(g=["a"] * 300 + ["b"] * 300)
>>> res = sem("F =~ x1 + x2 + x3 + x4", d, group="g", group_equal=["loadings"])
>>> st = lav_test_score(res)
>>> st.uni.sort_values("X2").iloc[-1][["lhs", "op", "rhs"]].tolist()      # the loading of x4
['.p4.', '==', '.p18.']
>>> cum = lav_test_score(res, cumulative=True).cumulative               # released by decreasing X2
>>> cum["df"].tolist(), bool(abs(cum["X2"].iloc[-1] - st.test["X2"].iloc[0]) < 1e-8)
([1, 2, 3], True)
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import EstimationError, ModelSyntaxError
from .constraints import LinearConstraints
from .fitmeasures import chisq_pvalue
from .modindices import information_and_score, lav_object_extended, lav_partable_full
from .results import SEMResult

__all__ = ["lav_test_score", "ScoreTest"]

_GINV_TOL = float(np.sqrt(np.finfo(float).eps))    # MASS::ginv's default tolerance


@dataclass
class ScoreTest:
    """``test``: the total score test (``test X2 df p.value``); ``uni``: one 1-df test per constraint
    (``lhs op rhs X2 df p.value``, plus ``epc`` when adding parameters); ``epc``: with ``epc=True``, the
    expected change of every free parameter when all the tested constraints are released; ``cumulative``: with
    ``cumulative=True``, lavaan's cumulative tests (the constraints by decreasing univariate statistic, row ``k``
    releasing the first ``k`` of them together, ``df = k``)."""

    test: pd.DataFrame
    uni: pd.DataFrame
    epc: pd.DataFrame | None = None
    cumulative: pd.DataFrame | None = None
    #: "standard" (the ordinary score test: the only one lavaan 0.6.14 computes, also for MLR fits)
    type: str = "standard"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        def recs(df):
            return None if df is None else [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                                            for k, v in r.items()} for r in df.to_dict("records")]
        return {"test": recs(self.test), "uni": recs(self.uni), "epc": recs(self.epc),
                "cumulative": recs(self.cumulative), "type": self.type, "warnings": list(self.warnings)}


def _ginv(M: np.ndarray) -> np.ndarray:
    return np.linalg.pinv(0.5 * (M + M.T), rcond=_GINV_TOL)


def _bordered_inverse(J: np.ndarray, R: np.ndarray) -> np.ndarray:
    if R.shape[0] == 0:
        return _ginv(J)
    k = R.shape[0]
    Z = np.block([[J, R.T], [R, np.zeros((k, k))]])
    return _ginv(Z)[: J.shape[0], : J.shape[0]]


def _constraint_jacobian(res: SEMResult, free_of_row: dict[int, int], npar: int
                         ) -> tuple[np.ndarray, list[tuple[str, str, str]], list[str]]:
    """lavaan's ``con.jac``: one row per ``==`` row of the table, over the free rows.

    A constraint between two single labels (``a == b``, the ``.pN. == .pM.`` rows of shared labels and
    ``group_equal``) is ``+1`` / ``-1`` on their rows; any other (linear) ``==`` (``b == 2*c``,
    ``l3 + k3 == 1.2``) takes its Jacobian from :class:`~iur_survey.sem.constraints.LinearConstraints` (the
    fit's own), each parameter on the first free row that carries it (where lavaan's labels point)."""
    pt = res.partable
    by_plabel: dict[str, list[int]] = {}
    by_label: dict[str, list[int]] = {}
    first_row: dict[int, int] = {}
    for i in range(len(pt)):
        if pt.op[i] in (":=", "==", "<", ">"):
            continue
        if pt.plabel[i]:
            by_plabel.setdefault(pt.plabel[i], []).append(i)
        if pt.label[i]:
            by_label.setdefault(pt.label[i], []).append(i)
        if pt.par_index[i] >= 0 and free_of_row.get(i) is not None:
            first_row.setdefault(int(pt.par_index[i]), i)
    general = {(c.lhs, c.rhs): k for k, c in enumerate(pt.equality)}
    A = None
    rows, names, params = [], [], []
    for i in range(len(pt)):
        if pt.op[i] != "==":
            continue
        r = np.zeros(npar)
        hits = [by_plabel.get(side.strip()) or by_label.get(side.strip(), []) for side in (pt.lhs[i], pt.rhs[i])]
        # a label several rows share (one label in every group: one parameter) points, as lavaan's, at its first row
        hits = [h[:1] if h and len({int(pt.par_index[j]) for j in h}) == 1 else h for h in hits]
        if all(len(h) == 1 and free_of_row.get(h[0]) is not None for h in hits):
            r[free_of_row[hits[0][0]]] += 1.0
            r[free_of_row[hits[1][0]]] -= 1.0
            params.append(" == ".join(_describe(pt, h[0]) for h in hits))
        elif (pt.lhs[i], pt.rhs[i]) in general:
            if A is None:
                A = LinearConstraints(pt, res.model.row_values(res.theta)).A
            for j, v in enumerate(A[general[(pt.lhs[i], pt.rhs[i])]]):
                if v != 0.0:
                    r[free_of_row[first_row[j]]] += v
            params.append(f"{pt.lhs[i]} == {pt.rhs[i]}")
        else:
            raise ModelSyntaxError(pt.source, f"the score test cannot read the constraint {pt.lhs[i]} == {pt.rhs[i]}")
        rows.append(r)
        names.append((pt.lhs[i], "==", pt.rhs[i]))
    return (np.array(rows) if rows else np.zeros((0, npar))), names, params


def _describe(pt, i: int) -> str:
    g = f" [{pt.group_labels[pt.group[i] - 1]}]" if pt.ngroups > 1 else ""
    return f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}{g}"


def _parse_add(res: SEMResult, add: list[str] | str) -> list[tuple[str, str, str, int]]:
    lines = [add] if isinstance(add, str) else list(add)
    out = []
    for text in lines:
        for line in text.replace(";", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            for op in ("=~", "~~", "~1", "~"):
                if op in line:
                    lhs, rhs = (s.strip() for s in line.split(op, 1))
                    break
            else:
                raise ModelSyntaxError("<add>", f"cannot read {line!r}: use 'lhs =~ rhs', 'lhs ~~ rhs' or 'lhs ~ rhs'")
            if not lhs or (op != "~1" and not rhs) or "*" in rhs or "+" in rhs:
                raise ModelSyntaxError("<add>", f"cannot read {line!r}: one parameter per line, no modifiers")
            for b in range(1, res.partable.ngroups + 1):
                out.append((lhs, op, "" if op == "~1" else rhs, b))
    return out


def lav_test_score(res: SEMResult, data: pd.DataFrame | None = None, *, add: list[str] | str | None = None,
                   release: list[int] | None = None, univariate: bool = True, epc: bool = False,
                   cumulative: bool = False) -> ScoreTest:
    """lavaan's ``lavTestScore(fit, add =, release =, univariate = TRUE, epc =, cumulative =)`` (see the module
    docstring).

    ``release`` (1-based, as lavaan) picks the ``==`` constraints to release (default: all).
    ``data`` (the DataFrame given to :func:`~iur_survey.sem.sem`) is needed for FIML fits.
    """
    if not res.converged:
        raise EstimationError(None, "the score test needs a model that converged")
    if res.estimator not in ("ML", "MLR"):      # said here: information_and_score speaks of modification indices
        raise EstimationError(None, f"the score test (lavTestScore) is covered for estimator ML and MLR only (this "
                                    f"fit: {res.estimator}); lavaan 0.6.14 computes it for {res.estimator} too")
    warns = []
    if res.se_type != "standard":          # lavaan 0.6.14 lavTestScore(): the same fallback, the same warning
        warns.append(f"se is not `standard' ({res.se_type}, estimator {res.estimator}): a robust score test is "
                     "not implemented yet (as lavaan 0.6.14); falling back to the ordinary score test")
        _warnings.warn("lavTestScore: " + warns[-1], stacklevel=2)
    pt = res.partable
    if any(o in ("<", ">") for o in pt.op):
        raise EstimationError(None, "the score test does not handle inequality constraints (as lavaan)")
    if add is not None and release is not None:
        raise EstimationError(None, "'add' and 'release' cannot be used together (as lavaan)")
    new = _parse_add(res, add) if add is not None else []
    if new:
        known = set(lav_partable_full(pt)) | {(pt.lhs[i], pt.op[i], pt.rhs[i], pt.block[i]) for i in range(len(pt))}
        unknown = [k for k in new if k not in known and (k[2], k[1], k[0], k[3]) not in known]
        if unknown:
            k = unknown[0]
            raise ModelSyntaxError("<add>", f"{k[0]} {k[1]} {k[2]} is not a parameter this model can free")
    ext = lav_object_extended(res, add=new, all_free=False)
    if new and len(ext.extra_idx) != len(new):
        raise EstimationError(None, "a parameter to add is already in the model")
    J, score = information_and_score(res, ext, data)
    npar = len(ext.theta)
    # free row of the fitted table -> parameter of the extended model
    keep = [i for i in range(len(pt)) if pt.op[i] not in (":=", "==", "<", ">")]
    free_of_row = {i: int(ext.pt.par_index[j]) for j, i in enumerate(keep) if ext.pt.par_index[j] >= 0}
    R_model, names, params = _constraint_jacobian(res, free_of_row, npar)
    N = float(res.n)
    if new:
        R_add = np.zeros((len(new), npar))
        R_add[np.arange(len(new)), ext.extra_idx] = 1.0
        R = np.vstack([R_model, R_add])
        r_idx = list(range(R_model.shape[0], R.shape[0]))
        J_inv = _bordered_inverse(J, R_model)
        names = names + [(f"{ext.pt.lhs[ext.rows[j]]}{ext.pt.op[ext.rows[j]]}{ext.pt.rhs[ext.rows[j]]}", "==", "0")
                         for j in ext.extra_idx]
        params = params + [f"{n[0]} == 0" for n in names[len(params):]]
    else:
        R = R_model
        if R.shape[0] == 0:
            raise EstimationError(None, "no equality constraints found in the model")
        if release is None:
            r_idx = list(range(R.shape[0]))
            J_inv = _ginv(J)
        else:
            r_idx = [int(r) - 1 for r in release]
            if min(r_idx) < 0 or max(r_idx) >= R.shape[0]:
                raise EstimationError(None, f"release: constraint numbers run from 1 to {R.shape[0]}")
            J_inv = _bordered_inverse(J, np.delete(R, r_idx, axis=0))
    stat = float(N * score @ J_inv @ score)
    df = len(r_idx)
    test = pd.DataFrame({"test": ["score"], "X2": [stat], "df": [df], "p.value": [chisq_pvalue(stat, df)]})
    uni = pd.DataFrame({"lhs": [names[r][0] for r in r_idx], "op": [names[r][1] for r in r_idx],
                        "rhs": [names[r][2] for r in r_idx]})
    univariate = univariate or cumulative        # as lavaan: the cumulative order needs the univariate tests
    if univariate:
        X2, EPCu = [], []
        for r in r_idx:
            Z1 = _bordered_inverse(J, np.delete(R, r, axis=0))
            X2.append(float(N * score @ Z1 @ score))
            if epc and new:
                EPCu.append(float((score @ Z1)[ext.extra_idx[r - R_model.shape[0]]]))
        uni["X2"] = X2
        uni["df"] = 1
        uni["p.value"] = chisq_pvalue(np.asarray(X2), 1)
        uni["parameters"] = [params[r] for r in r_idx]       # what the labels stand for (not in lavaan)
        if epc and new:
            uni["epc"] = EPCu
    cum = None
    if cumulative:
        order = np.argsort(-np.asarray(X2), kind="stable")
        TS = [float(N * score @ _bordered_inverse(J, np.delete(R, [r_idx[o] for o in order[:k]], axis=0)) @ score)
              for k in range(1, len(order) + 1)]
        cum = uni[["lhs", "op", "rhs"]].iloc[order].reset_index(drop=True)
        cum["X2"] = TS
        cum["df"] = np.arange(1, len(TS) + 1)
        cum["p.value"] = [chisq_pvalue(x, k) for k, x in enumerate(TS, 1)]
    epc_table = None
    if epc:
        Z1 = _bordered_inverse(J, np.delete(R, r_idx, axis=0))
        e = score @ Z1
        epx = ext.pt
        rows = [int(ext.rows[j]) for j in range(npar)]
        epc_table = pd.DataFrame({"lhs": [epx.lhs[i] for i in rows], "op": [epx.op[i] for i in rows],
                                  "rhs": [epx.rhs[i] for i in rows]})
        if pt.ngroups > 1:
            epc_table["group"] = [epx.group[i] for i in rows]
        epc_table["est"] = ext.theta
        epc_table["epc"] = e
        epc_table["epv"] = ext.theta + e
    return ScoreTest(test=test, uni=uni, epc=epc_table, cumulative=cum, warnings=warns)
