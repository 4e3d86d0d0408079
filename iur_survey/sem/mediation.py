"""Mediation: bootstrap indirect and total effects beside their delta-method tests, and the type of mediation.

:func:`bootstrap_effects` turns a :class:`~iur_survey.sem.bootstrap.BootstrapResult` into one tidy row per
defined (``:=``) parameter: the estimate, the bootstrap SE, the percentile interval (lavaan's
``boot.ci.type = "perc"``), the BCa interval (when the bootstrap ran with ``ci="bca"``) and, beside them, the
delta-method SE, interval and *p* of the same fit (lavaan's default for ``:=``); :func:`mediation_type` is
Zhao, Lynch & Chen's (2010) classification from the intervals of the indirect and direct effects.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> from iur_survey.sem.bootstrap import bootstrap
>>> rng = np.random.default_rng(3)
>>> x = rng.standard_normal(150)
>>> m = 0.5 * x + rng.standard_normal(150)
>>> d = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + 0.1 * x + rng.standard_normal(150)})
>>> model = "m ~ a*x\\ny ~ b*m + c*x\\nind_x := a*b\\ntot_x := c + a*b"
>>> bt = bootstrap(sem(model, d), 60, data=d, seed=1, ci="bca", workers=1, progress=False)
>>> eff = bootstrap_effects(bt)
>>> eff["effect"].tolist(), eff["kind"].tolist()
(['ind_x', 'tot_x'], ['indirect', 'total'])
>>> r = eff.iloc[0]
>>> bool(r["perc.lower"] < r["est"] < r["perc.upper"]), bool(r["bca.lower"] < r["bca.upper"])
(True, True)
>>> bool(r["delta.se"] > 0), bool(abs(r["boot.se"] - r["delta.se"]) < 0.05)
(True, True)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["bootstrap_effects", "effect_kind", "effect_source", "mediation_type"]


def effect_kind(name: str) -> str:
    """``"indirect"`` (``ind_...``), ``"total"`` (``tot_...``) or ``"other"`` for a defined parameter's name.

    >>> effect_kind("ind_GOV"), effect_kind("tot_GOV"), effect_kind("ratio")
    ('indirect', 'total', 'other')
    """
    return "indirect" if name.startswith("ind_") else "total" if name.startswith("tot_") else "other"


def effect_source(name: str) -> str:
    """The mechanism of an ``ind_`` / ``tot_`` effect (the name itself otherwise).

    >>> effect_source("ind_GOV"), effect_source("ratio")
    ('GOV', 'ratio')
    """
    return name.split("_", 1)[1] if effect_kind(name) != "other" else name


def bootstrap_effects(boot, delta_estimates: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per ``:=`` parameter of a bootstrap: bootstrap and delta-method results side by side.

    Columns: ``effect`` (the name), ``kind`` (:func:`effect_kind`), ``source`` (the mechanism),
    ``definition``, ``est``, ``std.all``, ``boot.se`` (SD of the successful draws, divisor B - 1 as lavaan),
    ``perc.lower``/``perc.upper`` (percentile interval), ``bca.lower``/``bca.upper`` (BCa with jackknife
    acceleration; NaN unless the bootstrap ran with ``ci="bca"``), ``delta.se``, ``delta.lower``,
    ``delta.upper``, ``delta.pvalue`` (the fit's normal-theory delta-method results).  The level is the
    bootstrap's.  ``delta_estimates`` defaults to the bootstrapped fit's own parameter table.
    """
    level = float(boot.level)
    pe = boot.fit.parameter_estimates(level=level) if delta_estimates is None else delta_estimates
    d = pe[pe["op"] == ":="].set_index("lhs")
    names = boot.columns[boot.n_free:]
    perc = boot.confidence_intervals("percentile", level)
    bca = boot.confidence_intervals("bca", level) if boot.acceleration is not None else None
    se = boot.se()
    est = boot.point_estimates()
    rows = []
    for j, name in enumerate(names, start=boot.n_free):
        r = d.loc[name] if name in d.index else None
        rows.append({
            "effect": name, "kind": effect_kind(name), "source": effect_source(name),
            "definition": str(r["rhs"]) if r is not None else "",
            "est": float(est[j]), "std.all": float(r["std.all"]) if r is not None and "std.all" in r else math.nan,
            "boot.se": float(se.iloc[j]),
            "perc.lower": float(perc["ci.lower"].iloc[j]), "perc.upper": float(perc["ci.upper"].iloc[j]),
            "bca.lower": float(bca["ci.lower"].iloc[j]) if bca is not None else math.nan,
            "bca.upper": float(bca["ci.upper"].iloc[j]) if bca is not None else math.nan,
            "delta.se": float(r["se"]) if r is not None else math.nan,
            "delta.lower": float(r["ci.lower"]) if r is not None else math.nan,
            "delta.upper": float(r["ci.upper"]) if r is not None else math.nan,
            "delta.pvalue": float(r["pvalue"]) if r is not None else math.nan})
    return pd.DataFrame(rows)


def mediation_type(indirect: tuple[float, float], direct: tuple[float, float], direct_est: float,
                   indirect_est: float) -> str:
    """Zhao, Lynch & Chen's (2010) type of mediation from the intervals of the indirect (*a*·*b*) and the
    direct (*c*) effect: an effect is "there" when its interval excludes zero.

    >>> mediation_type((0.05, 0.2), (-0.1, 0.1), 0.0, 0.1), mediation_type((0.05, 0.2), (0.1, 0.3), 0.2, 0.1)
    ('indirect-only', 'complementary')
    >>> mediation_type((0.05, 0.2), (-0.3, -0.1), -0.2, 0.1), mediation_type((-0.01, 0.2), (0.1, 0.3), 0.2, 0.1)
    ('competitive', 'direct-only')
    >>> mediation_type((-0.01, 0.2), (-0.1, 0.3), 0.1, 0.1)
    'no effect'
    """
    ind = not (indirect[0] <= 0 <= indirect[1])
    dire = not (direct[0] <= 0 <= direct[1])
    if ind and dire:
        return "complementary" if np.sign(direct_est) == np.sign(indirect_est) else "competitive"
    if ind:
        return "indirect-only"
    return "direct-only" if dire else "no effect"
