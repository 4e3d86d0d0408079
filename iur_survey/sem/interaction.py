"""Latent interactions ``y ~ A + B + A:B`` by double-mean-centred product indicators.

The method of Lin, Wen, Marsh & Lin (2010), as semTools' ``indProd(match = FALSE, meanC = TRUE,
doubleMC = TRUE)`` followed by lavaan's ``sem()``:

1. every indicator of ``A`` and of ``B`` is mean-centred, every pair multiplied (all pairs: ``a1.b1``,
   ``a1.b2``, ..., the names semTools gives), and each product centred again;
2. a latent ``A.B`` is measured by the products (first loading fixed to 1), and the residuals of two
   products that share an indicator covary;
3. the term ``A:B`` becomes ``A.B`` in the regression; ``A.B`` covaries freely with the exogenous latents
   (lavaan's default), and its mean is zero.

:func:`iur_survey.sem.sem` does this when the syntax holds a ``:`` term (its rows then read ``y ~ A.B``,
the result's ``meta["interaction"]`` records the terms); :func:`simple_slopes` and
:func:`johnson_neyman` read the fit: the slope of the focal latent ``A`` (first in ``A:B``) at values of
the moderator ``B`` (second), in standard deviations of ``B`` (its model-implied variance), with normal
confidence intervals from the covariance of the two coefficients (semTools' ``probe2WayMC``); :func:`jn_plot`
draws it.  A multi-group fit is probed per group (each group's coefficients and moderator SD,
``probe2WayMC(group = g)``); under std.lv the coefficient of ``A.B`` is rescaled to a unit of A x B
(:func:`simple_slopes`).

Where each method fits: product indicators need no special estimator and work with FIML and MLR (robust
standard errors are advisable: a product is not normal); latent moderated structural equations (LMS,
Klein & Moosbrugger 2000, Mplus' ``XWITH``) use the exact non-normal likelihood and are more efficient
with normal latent predictors, but are not implemented here.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(11)
>>> a, b = rng.standard_normal((2, 800))
>>> y = 0.4 * a + 0.3 * b + 0.25 * a * b + rng.standard_normal(800) * 0.7
>>> d = pd.DataFrame({f"a{i}": a + rng.standard_normal(800) * .5 for i in (1, 2, 3)}
...                  | {f"b{i}": b + rng.standard_normal(800) * .5 for i in (1, 2, 3)}
...                  | {f"y{i}": y + rng.standard_normal(800) * .5 for i in (1, 2, 3)})
>>> res = sem("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nY =~ y1 + y2 + y3\\nY ~ A + B + A:B", d)
>>> pe = res.parameter_estimates()
>>> round(float(pe.query("lhs == 'Y' and rhs == 'A.B'")["est"].iloc[0]), 1)
0.2
>>> simple_slopes(res)[["at", "slope"]].round(1).to_dict("list")
{'at': [-1.0, 0.0, 1.0], 'slope': [0.2, 0.5, 0.7]}
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..errors import EstimationError, ModelSyntaxError
from .results import SEMResult, require_converged_fit, z_critical, z_pvalue
from .syntax import ParsedModel, Term

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["has_interactions", "product_indicators", "expand_interactions", "simple_slopes", "johnson_neyman",
           "jn_plot", "standardized_interaction", "interaction_groups"]


#: why a fit with a latent interaction has no bootstrap (``bootstrap()`` and ``iur-survey fit --bootstrap``)
NO_BOOTSTRAP = ("the bootstrap of a latent interaction (A:B) is not supported yet: the product indicators would "
                "have to be rebuilt in every resample")


def has_interactions(pm: ParsedModel) -> bool:
    """Whether the parsed syntax has an ``A:B`` term."""
    return any(":" in t.rhs for t in pm.terms if t.op == "~")


def product_indicators(data: pd.DataFrame, var1: Sequence[str], var2: Sequence[str], *,
                       double_mc: bool = True) -> pd.DataFrame:
    """semTools' ``indProd(data, var1, var2, match = FALSE, meanC = TRUE, doubleMC = double_mc)``: the
    products of every centred ``var1`` item with every centred ``var2`` item (``a.b`` names, ``var1``
    outer), each centred again.  Missing values stay missing (means over the observed values).

    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1., 2, 3, 4], "b": [1., 2, 4, 3]})
    >>> product_indicators(d, ["a"], ["b"])["a.b"].tolist()
    [1.25, -0.75, -0.25, -0.25]
    """
    X1 = data[list(var1)].astype(float)
    X2 = data[list(var2)].astype(float)
    X1 = X1 - X1.mean()
    X2 = X2 - X2.mean()
    cols = {}
    for a in var1:
        for b in var2:
            cols[f"{a}.{b}"] = X1[a] * X2[b]
    import pandas as pd

    out = pd.DataFrame(cols, index=data.index)
    return out - out.mean() if double_mc else out


def _indicators(pm: ParsedModel, lv: str, block: int) -> list[str]:
    return [t.rhs for t in pm.terms if t.op == "=~" and t.lhs == lv and t.block == block]


def expand_interactions(pm: ParsedModel, data: pd.DataFrame) -> tuple[ParsedModel, pd.DataFrame, list[dict]]:
    """The model with each ``A:B`` replaced by a product-indicator latent ``A.B`` (see the module docstring),
    the data with the product indicators added, and one record per term and outcome (``lhs``, ``focal``,
    ``moderator``, ``latent``, ``products``, ``block``, ``focal_indicators``, ``moderator_indicators``; the
    same ``A:B`` in two regressions: two records, one latent).

    >>> from iur_survey.sem.syntax import parse_model
    >>> import pandas as pd
    >>> d = pd.DataFrame(np.random.default_rng(0).standard_normal((20, 6)), columns=["a1", "a2", "b1", "b2", "y", "z"])
    >>> pm, d2, info = expand_interactions(parse_model("A =~ a1 + a2\\nB =~ b1 + b2\\ny ~ A + B + A:B"), d)
    >>> print(pm.syntax)
    A =~ a1 + a2
    B =~ b1 + b2
    y ~ A + B + A.B
    A.B =~ a1.b1 + a1.b2 + a2.b1 + a2.b2
    a1.b1 ~~ a1.b2
    a1.b1 ~~ a2.b1
    a1.b2 ~~ a2.b2
    a2.b1 ~~ a2.b2
    """
    lvs = {(t.lhs, t.block) for t in pm.terms if t.op == "=~"}
    terms: list[Term] = []
    extra: list[Term] = []
    info: list[dict] = []
    done: dict[tuple[str, int], str] = {}
    data = data.copy()
    for t in pm.terms:
        if t.op != "~" or ":" not in t.rhs:
            terms.append(t)
            continue
        a, b = t.rhs.split(":", 1)
        for v in (a, b):
            if (v, t.block) not in lvs:
                what = "an observed variable" if v in data.columns else "not defined by =~"
                raise ModelSyntaxError(pm.source, f"interaction {t.rhs}: {v} is {what}; only latent x latent "
                                                  "interactions are supported (build an observed product in "
                                                  "the data)", row=t.line, column=str(t.col))
        if a == b:
            raise ModelSyntaxError(pm.source, f"interaction {t.rhs}: a quadratic term is not supported",
                                   row=t.line, column=str(t.col))
        name = f"{a}.{b}"
        terms.append(replace(t, rhs=name))
        if (name, t.block) in done:          # the same A:B in another regression: its outcome is probed too
            first = done[(name, t.block)]
            if not any(r["latent"] == name and r["block"] == t.block and r["lhs"] == t.lhs for r in info):
                info.append(first | {"lhs": t.lhs})
            continue
        ia, ib = _indicators(pm, a, t.block), _indicators(pm, b, t.block)
        shared = sorted(set(ia) & set(ib))
        if shared:
            raise ModelSyntaxError(pm.source, f"interaction {t.rhs}: {shared[0]} indicates both factors",
                                   row=t.line, column=str(t.col))
        latent_ind = [v for v in ia + ib if (v, t.block) in lvs]
        if latent_ind:
            owner = a if latent_ind[0] in ia else b
            raise ModelSyntaxError(pm.source, f"interaction {t.rhs}: {owner} is measured by the factor "
                                              f"{latent_ind[0]}; product indicators need observed indicators",
                                   row=t.line, column=str(t.col))
        absent = [v for v in ia + ib if v not in data.columns]
        if absent:
            raise EstimationError(None, f"variable {absent[0]!r} is not in the data")
        prods = product_indicators(data, ia, ib)
        clash = [c for c in prods.columns if c in data.columns]
        if clash or name in data.columns:
            raise EstimationError(None, f"the data already hold a column {(clash or [name])[0]!r}; rename it")
        import pandas as pd

        data = pd.concat([data, prods], axis=1)
        names = list(prods.columns)
        if len(set(names)) < len(names):     # e.g. items x, x.y of A and y.z, z of B: two products x.y.z
            dup = next(p for p in names if names.count(p) > 1)
            raise ModelSyntaxError(pm.source, f"interaction {t.rhs}: two products of its indicators are both "
                                              f"named {dup!r}; rename the items", row=t.line, column=str(t.col))
        for p in names:
            extra.append(Term(name, "=~", p, block=t.block, line=t.line, col=t.col))
        # the two items of each product from the order product_indicators() makes them in (var1 outer), never
        # from the name: an item name may hold a dot (a.1 x b.1 is 'a.1.b.1')
        pa = [x for x in ia for _ in ib]
        pb = [y for _ in ia for y in ib]
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                if pa[i] == pa[j] or pb[i] == pb[j]:
                    extra.append(Term(names[i], "~~", names[j], block=t.block, line=t.line, col=t.col))
        rec = {"lhs": t.lhs, "focal": a, "moderator": b, "latent": name, "products": names, "block": t.block,
               "focal_indicators": ia, "moderator_indicators": ib}
        done[(name, t.block)] = rec
        info.append(rec)
    text = pm.syntax
    for rec in info:
        text = re.sub(rf"(?<![\w.]){re.escape(rec['focal'])}\s*:\s*{re.escape(rec['moderator'])}(?![\w.])",
                      rec["latent"], text)
    lines = text.splitlines()
    for rec in done.values():
        lines.append(f"{rec['latent']} =~ " + " + ".join(rec["products"]))
        for e in extra:
            if e.op == "~~" and e.lhs in rec["products"]:
                lines.append(f"{e.lhs} ~~ {e.rhs}")
    new = replace(pm, terms=terms + extra, syntax="\n".join(ln for ln in lines if ln.strip()))
    return new, data, info


# ----------------------------------------------------------------------------- reading the fit
def _term(res: SEMResult, term: str | None, outcome: str | None = None) -> dict:
    inter = res.meta.get("interaction") or []
    if not inter:
        raise EstimationError(None, "the model has no latent interaction (A:B) term")
    names = ", ".join(dict.fromkeys(f"{r['lhs']} ~ {r['focal']}:{r['moderator']}" for r in inter))
    hits = [r for r in inter if term is None or term in (f"{r['focal']}:{r['moderator']}", r["latent"])]
    if not hits:
        raise EstimationError(None, f"no interaction {term!r} in the model (it has {names})")
    if outcome is not None:
        hits = [r for r in hits if r["lhs"] == outcome]
        if not hits:
            raise EstimationError(None, f"no interaction {term or ''} on {outcome!r} in the model (it has {names})")
    elif len({r["lhs"] for r in hits if r["latent"] == hits[0]["latent"]}) > 1:
        raise EstimationError(None, f"{hits[0]['focal']}:{hits[0]['moderator']} is in the regressions of "
                                    f"{' and '.join(r['lhs'] for r in hits if r['latent'] == hits[0]['latent'])}: "
                                    "say which with outcome=")
    return hits[0]


def interaction_groups(res: SEMResult, group=None) -> list[int]:
    """The groups (0-based) to probe: every group for ``group=None``, else the one named by its label (a str) or
    its 1-based position (an int; semTools' ``probe2WayMC(group =)``); a single-group fit: ``[0]``.

    >>> from types import SimpleNamespace
    >>> r = SimpleNamespace(partable=SimpleNamespace(ngroups=2, group_labels=["north", "south"]))
    >>> interaction_groups(r), interaction_groups(r, "south"), interaction_groups(r, 1)
    ([0, 1], [1], [0])
    >>> r.partable.group_labels = ["2", "1"]       # numeric codes in the order of the data: a number is a position
    >>> interaction_groups(r, 1), interaction_groups(r, "1")
    ([0], [1])
    >>> r.partable.group_labels = ["north", "south"]
    >>> interaction_groups(r, "east")
    Traceback (most recent call last):
    iur_survey.errors.EstimationError: group='east': the groups are 'north', 'south' (or 1..2)
    """
    pt = res.partable
    if pt.ngroups == 1 or group is None:
        return list(range(pt.ngroups))
    labels = [str(x) for x in pt.group_labels]
    if isinstance(group, (int, np.integer)) and not isinstance(group, bool):
        if 1 <= int(group) <= pt.ngroups:          # a number is a position, as semTools' (labels "2", "1": 1 is "2")
            return [int(group) - 1]
    elif str(group) in labels:
        return [labels.index(str(group))]
    raise EstimationError(None, f"group={group!r}: the groups are {', '.join(repr(x) for x in labels)} "
                                f"(or 1..{pt.ngroups})")


def _one_group(res: SEMResult, group, what: str) -> int:
    gs = interaction_groups(res, group)
    if len(gs) > 1:
        raise EstimationError(None, f"{what} of a multi-group fit: say which group with group= (one of "
                                    f"{', '.join(repr(str(x)) for x in res.partable.group_labels)})")
    return gs[0]


def _row(res: SEMResult, op: str, lhs: str, rhs: str, group: int) -> int | None:
    pt = res.partable
    for i in range(len(pt)):
        if pt.op[i] == op and pt.lhs[i] == lhs and pt.rhs[i] == rhs and pt.block[i] == group + 1:
            return i
    return None


def _product_scale(res: SEMResult, rec: dict, group: int) -> tuple[float, dict[int, float]]:
    """``c = l_A l_B / l_AB``, the loadings of the first indicator of the focal, of the moderator and of the
    first product (1, 1, 1 with markers, lavaan's default), and its derivative by table row.

    The products ``a_i b_j`` measure ``l_ai l_bj A B``; the latent ``A.B`` measures the first of them with loading
    ``l_AB``, so ``A.B = (l_A l_B / l_AB) A x B`` and the coefficient of ``A.B`` is ``b3`` per ``c`` units of
    A x B: ``c b3`` is the interaction per unit of A x B.  With markers ``c = 1``; with std.lv (or a latent
    scaled by a fixed variance) it is the link that the marker scaling makes, so the slopes are those of the
    marker fit expressed in the units of this fit's latents (one model, two scalings)."""
    val, grad = 1.0, {}
    parts = [(rec["focal"], rec["focal_indicators"][0], 1), (rec["moderator"], rec["moderator_indicators"][0], 1),
             (rec["latent"], rec["products"][0], -1)]
    rows = []
    for lv, item, power in parts:
        i = _row(res, "=~", lv, item, group)
        if i is None:
            raise EstimationError(None, f"{lv} =~ {item} is not in the model")
        x = float(res.est[i])
        if x == 0.0:
            raise EstimationError(None, f"{lv} =~ {item} is zero: the scale of {rec['latent']} is not defined")
        rows.append((i, x, power))
        val *= x ** power
    for i, x, power in rows:
        grad[i] = grad.get(i, 0.0) + power * val / x
    return val, grad


def _latent_mean_at_zero(res: SEMResult, rec: dict, group: int) -> None:
    """The slopes read the moderator in standard deviations from a mean of zero and ``A.B`` as the product of
    latents centred at zero; a focal or moderator latent with a free or non-zero mean in a group (intercepts
    equal across groups, latent means free) is refused, never probed at a wrong centre."""
    for lv in (rec["focal"], rec["moderator"]):
        i = _row(res, "~1", lv, "", group)
        if i is not None and (res.partable.free[i] > 0 or abs(float(res.est[i])) > 1e-12):
            where = f" in group {res.partable.group_labels[group]!r}" if res.partable.ngroups > 1 else ""
            raise EstimationError(None, f"simple slopes of {rec['focal']}:{rec['moderator']}{where}: the mean of "
                                        f"{lv} is {'free' if res.partable.free[i] > 0 else 'not zero'}; the product "
                                        "indicators are centred on the whole sample, so A.B is not the product of "
                                        "latents centred in this group: not supported (fix the latent means at 0)")


def _coefs(res: SEMResult, rec: dict, group: int = 0):
    """``b1`` (focal), ``b3 = c b_AB`` (per unit of A x B, :func:`_product_scale`), their delta-method
    variances and covariance (lavaan's vcov; rows sharing a parameter add up), the moderator's model-implied
    SD in the group."""
    if "focal_indicators" in rec:
        c, dc = _product_scale(res, rec, group)
    else:
        c, dc = 1.0, {}
    _latent_mean_at_zero(res, rec, group)
    i1 = _row(res, "~", rec["lhs"], rec["focal"], group)
    i3 = _row(res, "~", rec["lhs"], rec["latent"], group)
    for i, name in ((i1, rec["focal"]), (i3, rec["latent"])):
        if i is None:
            raise EstimationError(None, f"{rec['lhs']} ~ {name} is not in the model")
    b1, braw = float(res.est[i1]), float(res.est[i3])
    cols = res.theta_index()                    # each row's column of vcov_theta
    V = np.asarray(res.vcov_theta, float)
    g1 = np.zeros(V.shape[0])
    g3 = np.zeros(V.shape[0])
    if cols[i1] >= 0:
        g1[cols[i1]] += 1.0
    if cols[i3] >= 0:
        g3[cols[i3]] += c
    for i, d in dc.items():                     # d(c b) / d(loading) = b dc
        if cols[i] >= 0:
            g3[cols[i]] += braw * d
    gm = res.model.groups[group]
    eta = res.model.eta_cov(res.theta, group)
    j = gm.eta.index(rec["moderator"])
    sd = math.sqrt(max(float(eta[j, j]), 0.0))
    return b1, c * braw, float(g1 @ V @ g1), float(g3 @ V @ g3), float(g1 @ V @ g3), sd


def standardized_interaction(res: SEMResult, term: str | None = None, *, outcome: str | None = None,
                             group=None) -> float:
    """The interaction coefficient in standard deviations of the two latents and of the outcome,
    ``b3 sd(A) sd(B) / sd(y)`` (Wen, Marsh & Hau 2010's appropriate standardization; the model-implied
    latent variances; ``b3`` per unit of A x B, also under std.lv: :func:`simple_slopes`).  lavaan's ``std.all``
    of ``y ~ A.B`` divides by ``sd(A.B)`` instead.  ``outcome``: which regression when the same ``A:B`` is in
    two; ``group``: which group of a multi-group fit (label or 1-based number).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(7)
    >>> a, b = rng.standard_normal((2, 600))
    >>> y = 0.4 * a + 0.3 * b + 0.3 * a * b + rng.standard_normal(600) * .6
    >>> d = pd.DataFrame({f"{v}{i}": x + rng.standard_normal(600) * .5 for v, x in (("a", a), ("b", b), ("y", y))
    ...                   for i in (1, 2, 3)})
    >>> m = "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nY =~ y1 + y2 + y3\\nY ~ A + B + A:B"
    >>> s1, s2 = standardized_interaction(sem(m, d)), standardized_interaction(sem(m, d, std_lv=True))
    >>> round(s1, 2), bool(abs(s1 - s2) < 1e-4)          # the same model scaled two ways: the same value
    (0.35, True)
    """
    rec = _term(res, term, outcome)
    g = _one_group(res, group, "the standardized interaction")
    _b1, b3, _v11, _v33, _v13, sd_b = _coefs(res, rec, g)
    gm = res.model.groups[g]
    eta = res.model.eta_cov(res.theta, g)
    ja, jy = gm.eta.index(rec["focal"]), gm.eta.index(rec["lhs"])
    return float(b3 * math.sqrt(eta[ja, ja]) * sd_b / math.sqrt(eta[jy, jy]))


def simple_slopes(res: SEMResult, term: str | None = None, at: Sequence[float] = (-1.0, 0.0, 1.0), *,
                  level: float = 0.95, outcome: str | None = None, group=None) -> pd.DataFrame:
    """Slope of the focal latent at the moderator ``at`` standard deviations from its mean:
    ``outcome focal moderator_name at moderator slope se z pvalue ci.lower ci.upper`` (slope = b_focal +
    b_interaction x moderator, in units of the outcome per unit of the focal latent; ``at`` in standard deviations
    of the moderator, ``moderator`` in its units), semTools' ``probe2WayMC`` at ``at`` x SD.

    ``term`` is ``"A:B"`` (default: the model's first interaction); ``outcome`` the regression's left-hand side
    when the same ``A:B`` is in two (else an error asks for it).  A multi-group fit: one block of rows per group
    (a ``group`` column, the group's label, first), each with that group's coefficients and moderator SD
    (``probe2WayMC(group = g)``); ``group=`` (label or 1-based number) keeps one.  A fit that did not converge
    has none (:class:`~iur_survey.sem.results.NotConvergedError`: lavaan gives it no vcov, so no SEs).

    The interaction is taken per unit of A x B: with markers (lavaan's default) it is the coefficient of
    ``A.B``; with std.lv (or a latent scaled by a fixed variance) the coefficient of ``A.B`` is per standard
    deviation of the product latent, so it is multiplied by ``c = l_A l_B / l_AB`` (the loadings of the first
    focal and moderator indicators and of the first product, the link that the markers fix to 1), its standard
    error by the delta method: the marker fit's slopes in the units of this fit's latents.  (semTools'
    ``probe2WayMC`` reads the raw coefficient, off by ``c`` under std.lv.)  A focal or moderator with a free
    latent mean in a group is refused (:func:`_latent_mean_at_zero`).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(8)
    >>> a, b = rng.standard_normal((2, 800))
    >>> g = np.repeat(["u", "v"], 400)
    >>> y = 0.4 * a + 0.3 * b + np.where(g == "u", 0.4, 0.0) * a * b + rng.standard_normal(800) * .6
    >>> d = pd.DataFrame({f"{v}{i}": x + rng.standard_normal(800) * .5 for v, x in (("a", a), ("b", b), ("y", y))
    ...                   for i in (1, 2, 3)} | {"g": g})
    >>> m = "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nY =~ y1 + y2 + y3\\nY ~ A + B + A:B"
    >>> ss = simple_slopes(sem(m, d, group="g"))
    >>> ss[["group", "at", "slope"]].round(1).to_dict("list")
    {'group': ['u', 'u', 'u', 'v', 'v', 'v'], 'at': [-1.0, 0.0, 1.0, -1.0, 0.0, 1.0], 'slope': [-0.0, 0.4, 0.8, 0.5, 0.5, 0.5]}
    """
    rec = _term(res, term, outcome)
    require_converged_fit(res, "no simple slopes (their SEs need the vcov, which lavaan does not give then)")
    import pandas as pd

    frames = []
    crit = z_critical(level)
    at = np.asarray(at, float)
    for g in interaction_groups(res, group):
        b1, b3, v11, v33, v13, sd = _coefs(res, rec, g)
        m = at * sd
        slope = b1 + b3 * m
        se = np.sqrt(np.clip(v11 + m ** 2 * v33 + 2 * m * v13, 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = slope / se
        cols = {"group": str(res.partable.group_labels[g])} if res.partable.ngroups > 1 else {}
        cols.update({"outcome": rec["lhs"], "focal": rec["focal"], "moderator_name": rec["moderator"], "at": at,
                     "moderator": m, "slope": slope, "se": se, "z": z, "pvalue": z_pvalue(z),
                     "ci.lower": slope - crit * se, "ci.upper": slope + crit * se})
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def johnson_neyman(res: SEMResult, term: str | None = None, *, level: float = 0.95,
                   outcome: str | None = None, group=None) -> dict:
    """The Johnson-Neyman interval: the moderator values where the focal slope's confidence interval just
    touches zero (roots of ``(b1 + b3 m)^2 = z^2 (v11 + 2 m v13 + m^2 v33)``), in the moderator's units and
    in its standard deviations; ``inside_significant`` tells whether the slope is significant between the
    bounds (True) or outside them (False).  No real root: the slope is significant everywhere or nowhere
    (``always_significant``).  None of a fit that did not converge (:class:`~iur_survey.sem.results.
    NotConvergedError`, as :func:`simple_slopes`; ``outcome`` and the scaling as there).  A multi-group fit:
    ``group=`` (label or 1-based number) says which group; the dict then has its ``group``.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(9)
    >>> a, b = rng.standard_normal((2, 600))
    >>> y = 0.3 * a + 0.3 * b + 0.4 * a * b + rng.standard_normal(600) * .6
    >>> d = pd.DataFrame({f"{v}{i}": x + rng.standard_normal(600) * .5 for v, x in (("a", a), ("b", b), ("y", y))
    ...                   for i in (1, 2, 3)})
    >>> jn = johnson_neyman(sem("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nY =~ y1 + y2 + y3\\nY ~ A + B + A:B", d))
    >>> jn["inside_significant"], bool(jn["lower_sd"] < -0.75 < jn["upper_sd"])    # slope 0 at B = -0.75
    (False, True)
    """
    rec = _term(res, term, outcome)
    require_converged_fit(res, "no Johnson-Neyman interval (it needs the vcov, which lavaan does not give then)")
    g = _one_group(res, group, "the Johnson-Neyman interval")
    b1, b3, v11, v33, v13, sd = _coefs(res, rec, g)
    c2 = z_critical(level) ** 2
    A = b3 ** 2 - c2 * v33
    B = 2 * (b1 * b3 - c2 * v13)
    C = b1 ** 2 - c2 * v11
    disc = B * B - 4 * A * C
    out = {"group": str(res.partable.group_labels[g])} if res.partable.ngroups > 1 else {}
    out.update({"outcome": rec["lhs"], "focal": rec["focal"], "moderator": rec["moderator"], "sd": sd,
                "level": level, "lower": None, "upper": None, "lower_sd": None, "upper_sd": None})
    if disc < 0 or A == 0:
        out["always_significant"] = bool(C > 0)
        out["inside_significant"] = None
        return out
    r = sorted([(-B - math.sqrt(disc)) / (2 * A), (-B + math.sqrt(disc)) / (2 * A)])
    out.update(lower=r[0], upper=r[1], lower_sd=r[0] / sd if sd else None, upper_sd=r[1] / sd if sd else None,
               inside_significant=bool(A < 0), always_significant=False)
    return out


def jn_plot(res: SEMResult, term: str | None = None, path=None, *, span: float = 3.0, level: float = 0.95,
            outcome: str | None = None, group=None):
    """Johnson-Neyman plot: the focal slope and its confidence band over the moderator (-span..span SD), with
    the Johnson-Neyman bounds; saved to ``path`` when given (``group=``: which group of a multi-group fit).
    Returns the matplotlib figure."""
    from matplotlib.figure import Figure      # no pyplot: no global state, any backend

    at = np.linspace(-span, span, 121)
    jn = johnson_neyman(res, term, level=level, outcome=outcome, group=group)
    ss = simple_slopes(res, term, at, level=level, outcome=outcome, group=jn.get("group"))
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.plot(ss["at"], ss["slope"], color="tab:blue", label=f"slope of {jn['focal']}")
    ax.fill_between(ss["at"], ss["ci.lower"], ss["ci.upper"], color="tab:blue", alpha=.2,
                    label=f"{int(level * 100)}% CI")
    ax.axhline(0.0, color="grey", lw=.8)
    for b in (jn["lower_sd"], jn["upper_sd"]):
        if b is not None and -span <= b <= span:
            ax.axvline(b, color="tab:red", ls="--", lw=1)
    ax.set_xlabel(f"{jn['moderator']} (SD from its mean)")
    ax.set_ylabel(f"effect of {jn['focal']} on {jn['outcome']}")
    ax.set_title(f"Johnson-Neyman plot: {jn['focal']} x {jn['moderator']}"
                 + (f" (group {jn['group']})" if "group" in jn else ""))
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig
