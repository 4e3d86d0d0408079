"""Reliability and convergent validity: Cronbach's alpha, composite reliability (omega), AVE.

Definitions follow semTools 0.5-6 (``compRelSEM``, ``AVE``; alpha as ``compRelSEM(tau.eq=TRUE)``: of data,
:func:`cronbach_alpha`; of a fit, :func:`composite_reliability` with ``tau_eq=True``), checked
against it in tests/measure/.  The CFA-based statistics take lavaan's ``parameterEstimates`` table (our
engine's ``parameter_estimates()`` or a lavaan reference) plus, optionally, the covariance matrix that forms
the denominator:

* the sample covariance (divisor N, lavaan's ``sampstat``) -> semTools' default ``obs.var=TRUE``;
* nothing -> the model-implied covariance rebuilt from the estimates (``obs.var=FALSE``; CFA models only).
"""

from __future__ import annotations

import math
import warnings as _warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ._common import (Constructs, Measurement, as_cov, construct_map, flag, improper_constructs, item_frame,
                      refuse_constant)

ALPHA_CUTOFF = 0.70
OMEGA_CUTOFF = 0.70
AVE_CUTOFF = 0.50


def _alpha(cov: np.ndarray) -> float:
    k = cov.shape[0]
    return k / (k - 1) * (1.0 - np.trace(cov) / cov.sum())


def _std(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _drop_stats(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item, as psych::alpha's ``item.stats$r.drop`` and ``alpha.drop``: the correlation of the item with
    the sum of the other items (cov(x_i, Σ_{j≠i} x_j) / sqrt(var x_i · var Σ_{j≠i} x_j)), and alpha (raw and
    standardized) of the other items (NaN when fewer than two are left)."""
    k = cov.shape[0]
    r_drop, a_drop, s_drop = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    for i in range(k):
        keep = np.arange(k) != i
        rest = cov[np.ix_(keep, keep)]
        r_drop[i] = (cov[i].sum() - cov[i, i]) / np.sqrt(cov[i, i] * rest.sum())
        if k > 2:
            a_drop[i], s_drop[i] = _alpha(rest), _alpha(_std(rest))
    return r_drop, a_drop, s_drop


def _check_level(level: float) -> float:
    lv = float(level)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level = {level!r}: a confidence level is a number between 0 and 1 (e.g. 0.95)")
    return lv


def boot_quantile_ci(draws: Any, level: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap draws as psych 2.2.9's ``alpha(n.iter =)`` takes it: R's default
    ``quantile()`` (type 7, linear interpolation between order statistics) at ``(1 -/+ level) / 2`` of the finite
    draws (psych: ``quantile(boot[, 1], c(.025, .5, .975))``, its ``boot.ci``; the bootstrap of the SEM engine
    uses lavaan's ``norm.inter`` instead).  NaN bounds without two finite draws.

    >>> boot_quantile_ci(np.arange(1.0, 11.0))         # R: quantile(1:10, c(.025, .975)) = 1.225 9.775
    (1.225, 9.775)
    """
    lv = _check_level(level)
    t = np.asarray(draws, dtype=float)
    t = t[np.isfinite(t)]
    if t.size < 2:
        return math.nan, math.nan
    lo, hi = np.quantile(t, [(1.0 - lv) / 2.0, (1.0 + lv) / 2.0], method="linear")
    return float(lo), float(hi)


def _boot_setup(boot: Any, seed: Any) -> tuple[int, int]:
    """(B, seed entropy) of a bootstrap of reliability: the SEM bootstrap's checks and per-draw seeds."""
    from ..sem.bootstrap import require_draws, seed_entropy
    return require_draws(boot), seed_entropy(seed)


def _boot_alpha_draws(X: np.ndarray, B: int, entropy: int) -> np.ndarray:
    """Raw alpha of ``B`` case resamples of the rows of ``X``: draw ``b`` takes the rows
    :func:`~iur_survey.sem.bootstrap.draw_indices` gives (its own stream ``SeedSequence(entropy, spawn_key=(b,))``),
    as psych's ``x[sample.int(nsub, replace = TRUE), ]``, and alpha of their covariance matrix (psych's
    ``alpha.1(cov(xi))$raw``)."""
    from ..sem.bootstrap import draw_indices
    n = X.shape[0]
    out = np.empty(B)
    with np.errstate(divide="ignore", invalid="ignore"):
        for b in range(B):
            out[b] = _alpha(np.cov(X[draw_indices(entropy, b, [n])[0]], rowvar=False))
    return out


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval of Cronbach's alpha (Feldt, Woodruff & Salih, 1987, Applied Psychological
    Measurement 11, 93-103, formula 6): (1 - alpha) / (1 - alpha_population) is F distributed with n - 1 and
    (n - 1)(k - 1) degrees of freedom (n persons, k items; exact when the items are parallel and normal), so

        lower = 1 - (1 - alpha) F_{(1+level)/2},   upper = 1 - (1 - alpha) F_{(1-level)/2}.

    psych 2.2.9's ``alpha.ci(alpha, n.obs, n.var, p.val = 1 - level)``, the "Feldt" row of ``alpha()``'s "95%
    confidence boundaries" (there with the raw alpha, ``n.obs`` = the rows passed, p.val = .05), and the
    "analytical" interval of JASP's reliability analysis.  NaN when k < 2 or n < 2 or alpha is not finite.

    >>> lo, up = feldt_ci(0.626117131884981, 301, 3)      # HolzingerSwineford1939 x1-x3; psych: 0.55, 0.69
    >>> round(lo, 4), round(up, 4)
    (0.5465, 0.6938)
    """
    lv = _check_level(level)
    if not (np.isfinite(alpha) and k >= 2 and n >= 2):
        return math.nan, math.nan
    from scipy.stats import f as fdist
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (float(1.0 - (1.0 - alpha) * fdist.ppf((1.0 + lv) / 2.0, df1, df2)),
            float(1.0 - (1.0 - alpha) * fdist.ppf((1.0 - lv) / 2.0, df1, df2)))


def _duhachek_ase(cov: np.ndarray, n: int) -> float:
    """The asymptotic standard error of raw alpha (van Zyl, Neudecker & Nel, 2000; Duhachek & Iacobucci, 2004):
    sqrt(Q / n), Q = 2k^2 / ((k-1)^2 (1'V1)^3) [1'V1 (tr V^2 + (tr V)^2) - 2 tr V 1'V^2 1] (psych's ``ase``)."""
    k = cov.shape[0]
    s, tr, v2 = cov.sum(), np.trace(cov), cov @ cov
    q = 2.0 * k ** 2 / ((k - 1) ** 2 * s ** 3) * (s * (np.trace(v2) + tr ** 2) - 2.0 * tr * v2.sum())
    return float(np.sqrt(q / n)) if q >= 0 else math.nan


def duhachek_ci(cov: Any, n: int, level: float = 0.95) -> tuple[float, float]:
    """Duhachek and Iacobucci's (2004, Journal of Applied Psychology 89, 792-808) confidence interval of
    Cronbach's alpha: alpha -/+ z_{(1+level)/2} * ase, the asymptotic normal interval with the standard error of
    van Zyl, Neudecker and Nel (2000; multivariate normal items, no assumption on the loadings), ase = sqrt(Q / n),

        Q = 2k^2 / ((k-1)^2 (1'V1)^3) * [1'V1 (tr V^2 + (tr V)^2) - 2 tr V * 1'V^2 1]

    (V the items' covariance matrix, k items, n persons; Q does not depend on V's divisor).  psych 2.2.9's
    "Duhachek" row of ``alpha()``'s "95% confidence boundaries": ``raw_alpha -/+ 1.96 * ase`` with
    ``ase = sqrt(alpha.total$Q/nsub)``; here z is the normal quantile (1.959964 at .95), so a bound differs
    from psych's printed one by 3.6e-5 * ase (below 1e-6 for ase < .03).  NaN bounds for fewer than two items.

    >>> import numpy as np
    >>> V = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]])
    >>> [round(b, 4) for b in duhachek_ci(V, 100)]   # alpha .75; psych::alpha(V, n.obs = 100): ase .0433
    [0.6651, 0.8349]
    """
    lv = _check_level(level)
    v = np.asarray(cov, dtype=float)
    if v.ndim != 2 or v.shape[0] < 2 or n < 2:
        return math.nan, math.nan
    from scipy.stats import norm
    a, se = _alpha(v), _duhachek_ase(v, n)
    z = float(norm.ppf((1.0 + lv) / 2.0))
    return float(a - z * se), float(a + z * se)


def _reversed_items(x: np.ndarray, items: Sequence[str]) -> list[str]:
    """The items that load negatively on the first principal component of their correlation matrix, the component
    turned to a positive sum of loadings: psych::alpha's check for reverse-keyed items (``principal(x)``, its
    "Some items ( ... ) were negatively correlated with the total scale"), the items ``check.keys = TRUE`` would
    reverse.

    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal(300)
    >>> x = np.column_stack([f + rng.standard_normal(300) for _ in range(4)])
    >>> x[:, 1] = -x[:, 1]
    >>> _reversed_items(x, ["a", "b", "c", "d"])
    ['b']
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.corrcoef(x, rowvar=False)
    if not np.isfinite(r).all():
        return []
    val, vec = np.linalg.eigh(r)
    v = vec[:, -1]
    if v.sum() < 0:
        v = -v
    return [str(i) for i, a in zip(items, v) if a < 0]


def cronbach_alpha(data: pd.DataFrame, constructs: Constructs, *, items: bool = False,
                   level: float = 0.95, boot: int | None = None, seed: Any = None) -> pd.DataFrame:
    """Cronbach's alpha of each construct (listwise-complete rows of that construct's items).

    alpha = k/(k-1) * (1 - sum of item variances / variance of the sum score); ``alpha_std`` is the same on
    the item correlation matrix (standardised alpha).  Flag: alpha >= .70.  Equal to psych::alpha on the
    complete rows (``raw_alpha``, ``std.alpha``).

    Confidence intervals of alpha (the raw one) at ``level`` (default .95), the two psych::alpha prints as its
    "95% confidence boundaries": ``feldt.lower`` / ``feldt.upper`` (:func:`feldt_ci`, F distribution; psych's
    "Feldt" row, JASP's analytical interval) and ``duhachek.lower`` / ``duhachek.upper`` (:func:`duhachek_ci`,
    asymptotic normal; psych's "Duhachek" row), with ``ase`` (psych's name: the asymptotic standard error of
    the Duhachek interval).  Both pairs of columns at once, as psych prints both rows; NaN for a single item.  n is
    the construct's complete rows, as for alpha itself.  On data with missing cells psych's default differs:
    its covariances are pairwise and its n (Feldt's df, the ase's divisor) is every row passed, complete or not,
    so its intervals are narrower than the complete rows support (bfi A, 1200 rows of which 1161 complete:
    psych's Feldt .662-.718 with alpha .691, ours .660-.716 with alpha .689).

    ``boot=B``: psych's bootstrapped interval too (its ``alpha(x, n.iter = B)``, ``boot.ci``), columns
    ``boot.lower`` / ``boot.upper``: B resamples of the construct's complete rows with replacement (psych:
    ``x[sample.int(nsub, replace = TRUE), ]``), the raw alpha of each resample's covariance matrix, and the
    quantiles ``(1 -/+ level) / 2`` of those B alphas by R's default ``quantile()`` (:func:`boot_quantile_ci`;
    psych's .025 and .975 at level .95).  Draw b takes its rows from its own stream,
    ``SeedSequence(seed, spawn_key=(b,))`` (the SEM bootstrap's :func:`~iur_survey.sem.bootstrap.draw_indices`),
    the same for every construct of equal n, so a construct's interval does not depend on the others passed;
    ``seed`` None draws fresh entropy, recorded in ``attrs["boot"]`` (``B``, ``seed``, and ``draws``: construct
    -> the B alphas, a tuple).  On data with missing cells psych resamples every row and takes pairwise
    covariances; here the complete rows, as for alpha itself.  The draws are cheap (a covariance matrix each), so they run in this
    process, without a progress bar.

    The items must be scored in one direction: recode reverse-keyed items first (``iur-survey clean`` does so
    from the instrument).  Items loading negatively on the first principal component of their construct's items
    (the items psych::alpha names, those its ``check.keys = TRUE`` reverses) get a warning naming them; without
    such an item, an item that correlates negatively with the sum of the other items gets one.  ``items=True``
    returns one row per item instead (index construct, item): ``r_drop`` (its correlation with the sum of the other items, psych's ``r.drop``)
    and ``alpha_drop`` / ``alpha_std_drop`` (alpha without it, psych's ``alpha.drop``), to find such an item.

    Refused with a one-line :class:`~iur_survey.errors.DataError`: a text cell in an item, an item without
    variance in the complete rows (psych drops it with a warning; it would lower alpha), fewer than two complete
    rows.  A warning when the complete rows are no more than the items (the items' covariance matrix is then
    singular and alpha says little).  A single-item construct: alpha NaN and ``meets_cutoff`` <NA> (not
    computable, never "below .70").

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal(500)
    >>> df = pd.DataFrame({f"x{i}": f + rng.standard_normal(500) for i in range(1, 5)})
    >>> res = cronbach_alpha(df, {"F": ["x1", "x2", "x3", "x4"]})
    >>> res[["n_items", "n", "alpha", "alpha_std", "cutoff", "meets_cutoff"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
               n_items    n  alpha  alpha_std  cutoff  meets_cutoff
    construct
    F                4  500  0.768      0.768     0.7          True
    >>> ci = ["feldt.lower", "feldt.upper", "duhachek.lower", "duhachek.upper"]
    >>> res[ci].round(3)  # doctest: +NORMALIZE_WHITESPACE
               feldt.lower  feldt.upper  duhachek.lower  duhachek.upper
    construct
    F                0.733        0.799           0.735           0.801
    >>> cronbach_alpha(df, {"F": ["x1", "x2", "x3", "x4"]}, items=True).round(3)  # doctest: +NORMALIZE_WHITESPACE
                    r_drop  alpha_drop  alpha_std_drop
    construct item
    F         x1     0.587       0.702           0.703
              x2     0.556       0.719           0.719
              x3     0.603       0.694           0.693
              x4     0.528       0.733           0.733
    >>> bt = cronbach_alpha(df, {"F": ["x1", "x2", "x3", "x4"]}, boot=1000, seed=1)   # psych's n.iter = 1000
    >>> bt[["alpha", "boot.lower", "boot.upper"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
               alpha  boot.lower  boot.upper
    construct
    F          0.768       0.732       0.798
    >>> bt.attrs["boot"]["B"], bt.attrs["boot"]["seed"], len(bt.attrs["boot"]["draws"]["F"])
    (1000, 1, 1000)
    """
    _check_level(level)
    B, entropy = _boot_setup(boot, seed) if boot is not None else (0, 0)
    draws: dict[str, np.ndarray] = {}
    rows, item_rows = [], []
    for name, its in construct_map(constructs).items():
        x = item_frame(data, its).dropna()
        ci = {"ase": np.nan, "feldt.lower": np.nan, "feldt.upper": np.nan, "duhachek.lower": np.nan,
              "duhachek.upper": np.nan, "boot.lower": np.nan, "boot.upper": np.nan}
        if len(its) < 2:
            alpha = alpha_std = np.nan
            item_rows.append({"construct": name, "item": its[0], "r_drop": np.nan, "alpha_drop": np.nan,
                              "alpha_std_drop": np.nan})
        else:
            if len(x) < 2:
                raise DataError(None, f"alpha of {name!r}: {len(x)} row(s) answer all its {len(its)} items; "
                                      "alpha needs at least two")
            refuse_constant(x, f"alpha of {name!r}, {len(x)} complete rows")
            tiny = len(x) <= len(its)
            if tiny:
                _warnings.warn(f"alpha of {name!r} rests on {len(x)} complete rows for {len(its)} items: the items' "
                               "covariance matrix is singular and alpha says little", stacklevel=2)
            cov = np.cov(x.to_numpy(), rowvar=False)
            with np.errstate(divide="ignore", invalid="ignore"):
                alpha, alpha_std = _alpha(cov), _alpha(_std(cov))
                r_drop, a_drop, s_drop = _drop_stats(cov)
                # psych::alpha: both intervals of the raw alpha, n = the rows (here the complete rows)
                ci["ase"] = _duhachek_ase(cov, len(x))
                ci["feldt.lower"], ci["feldt.upper"] = feldt_ci(alpha, len(x), len(its), level)
                ci["duhachek.lower"], ci["duhachek.upper"] = duhachek_ci(cov, len(x), level)
            if B:
                draws[name] = _boot_alpha_draws(x.to_numpy(), B, entropy)
                ci["boot.lower"], ci["boot.upper"] = boot_quantile_ci(draws[name], level)
            neg = [] if tiny else [(i, r) for i, r in zip(its, r_drop) if r < 0]
            rev = [] if tiny else _reversed_items(x.to_numpy(), its)
            drop = ", ".join(f"{i!r} (r = {r:.2f})" for i, r in neg)
            if rev:
                # the items to recode are those psych::alpha names: negative on the first principal component.
                # r_drop < 0 also hits well-keyed items when several are reversed (bfi E: E1, E2 reversed, all
                # five r_drop < 0), so it does not say which to recode
                _warnings.warn(f"alpha of {name!r}: {', '.join(map(repr, rev))} load(s) negatively on the first "
                               "principal component of the construct's items (psych::alpha names the same): "
                               "reverse-keyed item(s) not recoded? Recode them first"
                               + (f"; until then {drop} correlate(s) negatively with the sum of the construct's "
                                  "other items" if neg else "")
                               + " (cronbach_alpha(..., items=True) lists r_drop and alpha_drop)", stacklevel=2)
            elif neg:
                _warnings.warn(f"alpha of {name!r}: {drop} correlate(s) negatively with the sum of the construct's "
                               "other items: a reverse-keyed item not recoded? (cronbach_alpha(..., items=True) "
                               "lists r_drop and alpha_drop)", stacklevel=2)
            item_rows += [{"construct": name, "item": i, "r_drop": r, "alpha_drop": a, "alpha_std_drop": s}
                          for i, r, a, s in zip(its, r_drop, a_drop, s_drop)]
        rows.append({"construct": name, "n_items": len(its), "n": len(x), "alpha": alpha, "alpha_std": alpha_std,
                     **ci})
    if items:
        return pd.DataFrame(item_rows).set_index(["construct", "item"])
    out = pd.DataFrame(rows).set_index("construct")
    out["cutoff"] = ALPHA_CUTOFF
    # a single-item construct has no alpha: <NA> ("not computable"), never False ("below .70")
    out["meets_cutoff"] = flag(out["alpha"], ALPHA_CUTOFF, unknown=bool(out["alpha"].isna().any()))
    out.attrs["level"] = float(level)
    cols = ["n_items", "n", "alpha", "alpha_std", "cutoff", "meets_cutoff", "ase", "feldt.lower", "feldt.upper",
            "duhachek.lower", "duhachek.upper"] + (["boot.lower", "boot.upper"] if B else [])
    out = out[cols]
    if B:
        out.attrs["boot"] = {"B": B, "seed": entropy, "draws": {k: tuple(v.tolist()) for k, v in draws.items()}}
    return out


#: bootstrap draws of :func:`ordinal_alpha` per task of :func:`~iur_survey.sem.parallel.map_chunks`
ORDINAL_BOOT_CHUNK = 50


def _polychoric_alpha(Y: np.ndarray, levels: list[np.ndarray], names: list[str],
                      rho_start: np.ndarray | None = None) -> tuple[float, list[str], np.ndarray]:
    """Alpha of lavaan's polychoric correlations of the codes ``Y`` (0..K-1, complete rows), their warnings, and
    the correlations in lavaan's order (a draw's start values)."""
    from ..sem.ordinal import pair_index, stats_from_codes
    st = stats_from_codes(Y, levels, names, gamma=False, rho_start=rho_start)
    R = st.cor.to_numpy()
    return _alpha(R), list(st.warnings), R[pair_index(len(names))]


def _ordinal_boot_chunk(payload: tuple, chunk: tuple[int, int]) -> tuple[np.ndarray, int]:
    """Ordinal alpha of draws [start, stop): each resample's codes taken again over the categories it holds
    (as R's ``ordered()`` of the resample); NaN for a draw in which an item has one category left or whose
    polychoric step fails.  Also the number of draws with a polychoric warning (no convergence, |r| > .99)."""
    from ..errors import IURSurveyError
    from ..sem.bootstrap import draw_indices
    Y, levels, names, entropy, rho0 = payload
    start, stop = chunk
    n = Y.shape[0]
    out, warned = np.full(stop - start, np.nan), 0
    for r, b in enumerate(range(start, stop)):
        Yb = Y[draw_indices(entropy, b, [n])[0]].copy()
        lev_b = []
        for j, lev in enumerate(levels):
            u = np.unique(Yb[:, j])
            if u.size < 2:
                break
            Yb[:, j] = np.searchsorted(u, Yb[:, j])
            lev_b.append(lev[u])
        else:
            try:
                out[r], said, _ = _polychoric_alpha(Yb, lev_b, names, rho0)
            except IURSurveyError:
                continue
            warned += bool(said)
    return out, warned


def ordinal_alpha(data: pd.DataFrame, constructs: Constructs, *, boot: int | None = None, seed: Any = None,
                  level: float = 0.95, workers: int = 1, scheduler: Any = None,
                  progress: bool | str | None = None) -> pd.DataFrame:
    """"Ordinal alpha" of ordered items (Zumbo, Gadermann & Zeisser, 2007): Cronbach's alpha of the polychoric
    correlation matrix R of each construct's items, k/(k-1) (1 - k / 1'R1), on the construct's complete rows, with
    an optional bootstrap percentile interval.

    R is lavaan's two-step polychoric matrix (``lavCor(x, ordered = names(x))``,
    :func:`~iur_survey.sem.ordinal.polychoric`; lavaan's zero-cell rules), so the value is the package's other
    ordinal alpha, :func:`composite_reliability` with ``tau_eq=True, ord_scale=False`` (semTools'
    ``compRelSEM(tau.eq = TRUE, ord.scale = FALSE)``) of a WLSMV fit on the same rows in the delta
    parameterization (its sampstat is this R); psych's ``alpha(polychoric(x)$rho)`` is close but not equal
    (psych's polychoric corrects empty cells its own way).  The items' codes are their observed values in order
    (1, 3, 4, 7 -> four categories).  Flag: alpha >= .70; a single item: NaN and <NA>.

    No standard interval exists for it (semTools and psych give none; Feldt's and Duhachek's assume the
    covariances of the observed scores), so ``boot=B`` gives the nonparametric bootstrap a user would build:
    B resamples of the construct's complete rows with replacement, the polychoric matrix recomputed on each
    (its categories those the resample holds, as R's ``ordered()`` of it), its alpha, and the percentile
    interval of the B values (``boot.lower`` / ``boot.upper``, R's default quantile at ``(1 -/+ level) / 2``, as
    psych's bootstrapped interval of Cronbach's alpha: :func:`boot_quantile_ci`).  Rows and per-draw seeds are
    those of :func:`cronbach_alpha`'s ``boot`` (draw b: ``SeedSequence(seed, spawn_key=(b,))``), so on the same
    complete rows both bootstraps use the same resamples.  A draw in which an item keeps a single category has no
    polychoric correlation: it is left out and counted (``boot.failed``), with a warning; a warning also counts
    draws whose polychoric step warned (no convergence, |r| > .99).  ``attrs["boot"]``: ``B``, ``seed`` (the
    entropy, fresh when ``seed`` is None), ``draws`` (construct -> the B values, a tuple, NaN where failed).  The
    draws (some ms each) run on :func:`~iur_survey.sem.parallel.map_chunks`: ``workers``, ``scheduler``,
    ``progress`` as the SEM bootstrap's.

    Refused as :func:`cronbach_alpha` (a text cell, a constant item, fewer than two complete rows) and with a
    one-line :class:`~iur_survey.errors.EstimationError` when an item's polychoric step cannot run.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.standard_normal((300, 1)) + rng.standard_normal((300, 3))
    >>> df = pd.DataFrame(np.digitize(z, [-1.0, 0.0, 1.0]) + 1, columns=["a", "b", "c"])
    >>> res = ordinal_alpha(df, {"F": ["a", "b", "c"]}, boot=200, seed=1, progress=False)
    >>> list(res.columns)
    ['n_items', 'n', 'alpha', 'cutoff', 'meets_cutoff', 'boot.lower', 'boot.upper', 'boot.failed']
    >>> [round(float(res.loc["F", c]), 3) for c in ("alpha", "boot.lower", "boot.upper", "boot.failed")]
    [0.707, 0.629, 0.77, 0.0]
    >>> round(float(cronbach_alpha(df, {"F": ["a", "b", "c"]}).loc["F", "alpha"]), 3)   # of the codes: lower
    0.661
    """
    from ..sem.ordinal import _codes
    from ..sem.parallel import map_chunks
    lv = _check_level(level)
    B, entropy = _boot_setup(boot, seed) if boot is not None else (0, 0)
    draws: dict[str, np.ndarray] = {}
    rows, said = [], []
    for name, its in construct_map(constructs).items():
        x = item_frame(data, its).dropna()
        row = {"construct": name, "n_items": len(its), "n": len(x), "alpha": np.nan, "boot.lower": np.nan,
               "boot.upper": np.nan, "boot.failed": 0}
        if len(its) >= 2:
            if len(x) < 2:
                raise DataError(None, f"ordinal alpha of {name!r}: {len(x)} row(s) answer all its {len(its)} items; "
                                      "it needs at least two")
            refuse_constant(x, f"ordinal alpha of {name!r}, {len(x)} complete rows")
            Y, levels, _ = _codes(x)
            names = [str(i) for i in its]
            row["alpha"], w, rho0 = _polychoric_alpha(Y, levels, names)
            said += [f"{name!r}: {m}" for m in w]
            if B:
                chunks = [(a, min(a + ORDINAL_BOOT_CHUNK, B)) for a in range(0, B, ORDINAL_BOOT_CHUNK)]
                got = map_chunks(_ordinal_boot_chunk, chunks, payload=(Y, levels, names, entropy, rho0),
                                 workers=workers, scheduler=scheduler, progress=progress,
                                 weights=[b - a for a, b in chunks], desc=f"ordinal alpha bootstrap ({name})")
                t = np.concatenate([g[0] for g in got])
                draws[name] = t
                row["boot.lower"], row["boot.upper"] = boot_quantile_ci(t, lv)
                row["boot.failed"] = int(np.isnan(t).sum())
                if row["boot.failed"]:
                    said.append(f"{name!r}: {row['boot.failed']} of {B} bootstrap draws left an item with a single "
                                "category (no polychoric correlation) and are left out of the interval")
                if sum(g[1] for g in got):
                    said.append(f"{name!r}: the polychoric step warned (no convergence or |r| > .99) in "
                                f"{sum(g[1] for g in got)} of {B} bootstrap draws")
        rows.append(row)
    for m in said:
        _warnings.warn(f"ordinal alpha of {m}", stacklevel=2)
    out = pd.DataFrame(rows).set_index("construct")
    out["cutoff"] = ALPHA_CUTOFF
    out["meets_cutoff"] = flag(out["alpha"], ALPHA_CUTOFF, unknown=bool(out["alpha"].isna().any()))
    cols = ["n_items", "n", "alpha", "cutoff", "meets_cutoff"] + (["boot.lower", "boot.upper", "boot.failed"]
                                                                  if B else [])
    out = out[cols]
    out.attrs["level"] = lv
    if B:
        out.attrs["boot"] = {"B": B, "seed": entropy, "draws": {k: tuple(v.tolist()) for k, v in draws.items()}}
    return out


def _denominator_cov(m: Measurement, cov: Any) -> pd.DataFrame:
    """semTools' SIGMA: ``cov`` (lavaan's sampstat; for ordered items the polychoric correlations) divided by
    the items' scales, ``cov_ij / (s_i s_j)`` (lavaan's ``~*~`` rows; 1 without one: ML fits are unchanged),
    which puts it on the latent responses' model scale; or, without ``cov``, the model-implied covariance
    (already on that scale: semTools' ``obs.var = FALSE``)."""
    c = as_cov(cov)
    if c is None:
        return m.implied_cov()
    s = m.scales(list(c.index))
    return c / np.outer(s, s) if (s != 1.0).any() else c


def omega_cat(truevar: np.ndarray, denom: np.ndarray, threshold: list[np.ndarray], scales: np.ndarray) -> float:
    """Green & Yang's (2009) categorical omega of ordered items, semTools' ``omegaCat``: the reliability of the
    sum of the observed category codes, from the latent responses' common covariance ``truevar`` (λλ'var(η)),
    the total covariance ``denom`` (used as correlations, ``cov2cor``), each item's thresholds and its scale.
    With ``R = diag(s) truevar diag(s)`` and the standardized thresholds ``t = τ s``, omega is
    Σ_jj' [Σ_cc' Φ2(t_jc, t_j'c'; R_jj') − Σ_c Φ(t_jc) Σ_c' Φ(t_j'c')] over the same with the correlations of
    ``denom`` in Φ2 (Φ2: :func:`~iur_survey.sem.ordinal.bivariate_normal_cdf`).

    >>> # two binary items split at 0, where Φ2(0, 0; r) = 1/4 + asin(r) / 2π: common covariances .5, total
    >>> # correlation .5, so omega = 4 asin(.5) / (2 asin(1) + 2 asin(.5)) = (2π/3) / (4π/3)
    >>> tv = np.array([[0.5, 0.5], [0.5, 0.5]])
    >>> round(omega_cat(tv, np.array([[1.0, 0.5], [0.5, 1.0]]), [np.zeros(1)] * 2, np.ones(2)), 4)
    0.5
    """
    from ..sem.ordinal import bivariate_normal_cdf
    from scipy.special import ndtr

    s = np.asarray(scales, dtype=float)
    R = s[:, None] * np.asarray(truevar, dtype=float) * s[None, :]
    d = np.asarray(denom, dtype=float)
    sd = np.sqrt(np.diag(d))
    d = d / np.outer(sd, sd)
    np.fill_diagonal(d, 1.0)            # as R's cov2cor: exactly 1 (Φ2 near r = 1 is ill-conditioned)
    t = [np.asarray(th, dtype=float) * sj for th, sj in zip(threshold, s)]
    num = den = 0.0
    for j in range(len(t)):
        for jp in range(len(t)):
            a, b = t[j][:, None], t[jp][None, :]
            marg = ndtr(t[j]).sum() * ndtr(t[jp]).sum()
            num += bivariate_normal_cdf(a, b, R[j, jp]).sum() - marg
            den += bivariate_normal_cdf(a, b, d[j, jp]).sum() - marg
    return float(num / den)


#: how the warnings of :func:`composite_reliability` / :func:`ave` on an improper construct begin (a regex, for a
#: caller that blanks those constructs itself and says why in a note)
IMPROPER_WARNING = r"(omega|alpha|ave) from an improper solution"
#: how the warning of :func:`composite_reliability` on a factor with both ordered and continuous items begins
#: the start of the warning of :func:`composite_reliability` / :func:`ave` about an indicator regressed on a variable
PHANTOM_WARNING = "counts indicators that are also regressed on other variables"


def _phantom_warning(m: "Measurement", what: str) -> None:
    """Warn when an indicator of a factor is also the outcome of a regression (``x3 ~ z1``): lavaan models that
    item through a phantom latent variable of its own (its loading moves to BETA), and semTools' compRelSEM and
    AVE then leave it out of the factor (HolzingerSwineford, ``visual =~ x1 + x2 + x3; x3 ~ ageyr``: semTools'
    omega .557 over x1, x2; this one .619 over x1, x2, x3, tests/measure/refs/make_phantom_refs.R)."""
    t = m.table
    reg = t[t["op"] == "~"]
    hits = []
    for f in m.factors:
        for i in m.indicators(f):
            preds = list(dict.fromkeys(reg.loc[reg["lhs"] == i, "rhs"]))
            if preds:
                hits.append(f"{i} of {f} ({i} ~ {' + '.join(map(str, preds))})")
    if hits:
        _warnings.warn(f"{what} {PHANTOM_WARNING}: {'; '.join(hits)}; semTools' compRelSEM / AVE leave such an "
                       "item out of its factor (lavaan turns it into a latent variable of its own), so their value "
                       "differs from this one, which keeps every indicator the syntax gives the factor",
                       stacklevel=3)


MIXED_OMEGA_WARNING = ("omega is not defined for a factor with both ordered and continuous indicators (semTools' "
                       "compRelSEM gives NA)")
#: the same of alpha on the latent responses' scale (``tau_eq=True, ord_scale=False``)
MIXED_ALPHA_WARNING = ("alpha on the latent responses' scale (ord_scale=False) is not defined for a factor with both "
                       "ordered and continuous indicators (semTools' compRelSEM(tau.eq = TRUE, ord.scale = FALSE) "
                       "gives NA)")
#: how the warning of :func:`composite_reliability` on the total of a model with both kinds of items begins
MIXED_TOTAL_WARNING = ("no total composite of a model with both ordered and continuous indicators (semTools' "
                       "compRelSEM(return.total = TRUE) leaves it out)")
#: how the warning of :func:`composite_reliability` begins when alpha of the item codes is NA in semTools
MISSING_CODES_WARNING = ("alpha of the item codes (semTools' compRelSEM(tau.eq = TRUE), ord.scale = TRUE) is NA in "
                         "semTools when the fit's data hold missing values")


def _flag_improper(out: pd.DataFrame, m: Measurement, what: str, cutoff: float, *, model: bool = True
                   ) -> pd.DataFrame:
    """Add ``improper`` (why, :func:`~iur_survey.measure.improper_constructs`; "" for a proper construct) and
    ``meets_cutoff`` (<NA> for an improper construct: its value is semTools' number but no verdict), and warn
    once naming them (semTools reports the number of an improper solution without a word).  ``model=False``:
    the values do not use the estimates (alpha of the data), so no construct is marked."""
    bad = improper_constructs(m.table) if model else {}
    why = pd.Series([bad.get(f, "") for f in out.index], index=out.index, dtype=object)
    met = flag(out[what], cutoff, unknown=bool(out[what].isna().any()))     # NaN (AVE of a cross-loading item,
    #                                                                          a mixed factor's omega): <NA>
    hit = why != ""
    if hit.any():
        met = met.astype("boolean").mask(hit)
        _warnings.warn(f"{what} from an improper solution, not interpretable: "
                       + "; ".join(f"{f} ({bad[f]})" for f in out.index[hit]), stacklevel=3)
    out["meets_cutoff"] = met
    out["improper"] = why
    return out


def ordinal_codes(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """``data`` with each of ``items`` (ordered items) as lavaan codes it, 1..K over the categories observed in
    the column (R's ``ordered()``; lavaan's ``lavInspect(fit, "data")``): values 1, 3, 4, 7 become 1, 2, 3, 4.
    Missing cells stay NaN; the other columns are kept as they are.

    >>> ordinal_codes(pd.DataFrame({"a": [7, 1, 3, None, 4], "b": [0.5, 1, 2, 3, 4]}), ["a"])["a"].tolist()
    [4.0, 1.0, 2.0, nan, 3.0]
    """
    out = data.copy()
    for i in items:
        v = pd.to_numeric(out[i], errors="raise").to_numpy(dtype=float)
        ok = ~np.isnan(v)
        lev = np.unique(v[ok])
        codes = np.full(v.shape, np.nan)
        codes[ok] = np.searchsorted(lev, v[ok]) + 1.0
        out[i] = codes
    return out


def _code_cov(m: Measurement, data: Any) -> tuple[pd.DataFrame | None, str]:
    """semTools' SIGMA of alpha with ordered items on their ordinal scale (``tau.eq = TRUE``, ``ord.scale =
    TRUE``): ``cov`` (divisor N - 1) of the fit's data, the ordered items as their codes 1..K
    (:func:`ordinal_codes`), divided by the items' scales as :func:`_denominator_cov`.  ``(None, why)`` when
    the data hold a missing cell in a model variable (semTools: NA, the NA spreads through its scaling)."""
    if data is None:
        raise ValueError("alpha of ordered items on their ordinal scale (semTools' compRelSEM(tau.eq = TRUE), "
                         "ord.scale = TRUE) is the alpha of the item codes: it needs the fit's data (data=, the "
                         "rows the fit used), or ord_scale=False for the alpha of the polychoric correlations")
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    missing = [i for i in m.items if i not in data.columns]
    if missing:
        raise ValueError(f"data= lacks the model's items {', '.join(missing)}")
    names = set(m.table["lhs"]) | set(m.table["rhs"])
    cols = [c for c in data.columns if c in names and c not in m.factors]
    X = ordinal_codes(data[cols], [i for i in cols if i in m.thresholds]).astype(float)
    if X.isna().to_numpy().any():
        blank = [c for c in cols if X[c].isna().any()]
        return None, (f"{MISSING_CODES_WARNING} ({', '.join(blank)}: missing = 'pairwise'?); NaN (ord_scale=False "
                      "gives the alpha of the polychoric correlations)")
    c = X[m.items].cov()
    s = m.scales(m.items)
    return (c / np.outer(s, s) if (s != 1.0).any() else c), ""


def composite_reliability(estimates: Any, cov: Any = None, *, ord_scale: bool = True,
                          higher: Sequence[str] = (), tau_eq: bool = False, return_total: bool = False,
                          data: Any = None) -> pd.DataFrame:
    """Composite reliability (omega) of every factor with two or more indicators, semTools' ``compRelSEM``;
    with ``tau_eq=True`` coefficient alpha instead (its ``tau.eq = TRUE``), and with ``return_total=True`` a
    last row ``total``, the composite of all those factors' items (its ``return.total = TRUE``).

    omega_f = (sum_i lambda_if)^2 var(f) / sum of the ``cov`` block of f's indicators, where ``cov`` is the
    sample covariance (semTools' default ``obs.var=TRUE``) or, when omitted, the model-implied covariance, whose
    block sum is (sum lambda)^2 var(f) + sum theta_ii + 2 sum theta_ij (residual covariances) for a
    simple-structure CFA (``obs.var=FALSE``; semTools' ``reliability()`` calls this ``omega``).
    Ordered items (rows ``item | t1`` in the table; ``cov`` then lavaan's sampstat, the polychoric
    correlations, divided by the items' scales as semTools does): with ``ord_scale=True`` (semTools' default)
    a factor of ordered items gets Green & Yang's categorical omega (:func:`omega_cat`, semTools' ``omegaCat``,
    the reliability of the sum of the category codes); with ``ord_scale=False`` the formula above on the
    latent responses' scale.  A factor with both ordered and continuous indicators: NaN and a warning
    (semTools' compRelSEM gives NA).  ``higher``: higher-order factors (``g =~ F1 + F2 + F3``) whose omega is
    wanted too, semTools' ``higher=``: sum(L B Phi B' L') over the sum of the ``cov`` block of the items of
    their first-order factors (L their loadings, B the higher-order loadings, Phi lavaan's ``cov.lv``);
    refused for ordered items (semTools 0.5-6 fails on them).

    ``tau_eq=True`` (column ``alpha``, cutoff .70): alpha = k/(k-1) (1 - trace / sum) of the same block.  With
    ordered items in the model and ``ord_scale=True`` (semTools' default) the block is that of ``cov(data)``:
    ``data`` is the fit's data (the rows it used, lavaan's ``lavInspect(fit, "data")``), each ordered item as
    its codes 1..K (:func:`ordinal_codes`), a continuous one as it is, divided by the items' scales (1 in the
    delta parameterization: then psych's ``alpha`` of the item codes); ``cov`` is not used.  A missing cell
    in a model variable of ``data`` (``missing = "pairwise"``) makes every alpha NaN with a warning (semTools:
    NA).  With ``ord_scale=False``: alpha of ``cov`` (the polychoric correlations divided by the scales, the
    "ordinal alpha"), NaN with a warning for a factor of ordered and continuous items (semTools: NA).
    ``higher`` is refused with ``tau_eq`` (semTools computes omega there).

    ``return_total=True`` (two or more such factors): the ``total`` row over all their items: alpha of the whole
    block (``tau_eq``), else sum(L Phi L') / the block's sum (L those items' loadings, Phi ``cov.lv``).  NaN with a
    warning when the items are of both kinds (semTools leaves the total out); refused for ordered items with
    ``ord_scale=True`` and ``tau_eq=False`` (semTools 0.5-6 fails: omegaCat gets the summed common variance).

    Flag: omega (alpha) >= .70.  Of an improper solution (a negative residual or factor variance, a standardized
    loading beyond +-1: :func:`~iur_survey.measure.improper_constructs`) omega keeps semTools' number, but
    ``improper`` says why, ``meets_cutoff`` is <NA> and a warning names the constructs (alpha too when it comes
    from the model-implied covariance, ``cov`` omitted; alpha of the data does not depend on the estimates).
    Loadings of opposite signs (a reverse-keyed item not recoded) keep semTools' (low) number with a warning
    naming the minority items.

    >>> est = pd.DataFrame({"lhs": ["F", "F", "F", "a", "b", "c", "F"], "op": ["=~"] * 3 + ["~~"] * 4,
    ...                     "rhs": ["a", "b", "c", "a", "b", "c", "F"],
    ...                     "est": [1.0, 0.8, 0.6, 0.5, 0.36, 0.64, 1.0]})
    >>> # omega = (1 + .8 + .6)^2 / ((1 + .8 + .6)^2 + .5 + .36 + .64) = 5.76 / 7.26
    >>> composite_reliability(est).round(4)  # doctest: +NORMALIZE_WHITESPACE
               n_items   omega  cutoff  meets_cutoff improper
    construct
    F                3  0.7934     0.7          True
    >>> # alpha of the implied covariance (variances 1.5, 1, 1; sum 7.26) = 3/2 (1 - 3.5 / 7.26)
    >>> round(float(composite_reliability(est, tau_eq=True).loc["F", "alpha"]), 4)
    0.7769
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as said:       # a Heywood case: 5.76 / 6.42
    ...     warnings.simplefilter("always")
    ...     r = composite_reliability(est.assign(est=[1.0, 0.8, 0.6, 0.5, 0.36, -0.2, 1.0]))
    >>> round(float(r.loc["F", "omega"]), 4), r.loc["F", "meets_cutoff"], r.loc["F", "improper"]
    (0.8972, <NA>, 'negative residual variance of c')
    >>> str(said[0].message)
    'omega from an improper solution, not interpretable: F (negative residual variance of c)'
    """
    m = Measurement(estimates)
    what = "alpha" if tau_eq else "omega"
    if tau_eq and higher:
        raise ValueError("higher= with tau_eq=True: alpha of a higher-order factor is not defined (semTools' "
                         "compRelSEM(tau.eq = TRUE, higher =) gives omega for it); ask for omega")
    codes, code_na = bool(m.thresholds) and tau_eq and ord_scale, ""
    if codes:
        sigma, code_na = _code_cov(m, data)
    else:
        sigma = _denominator_cov(m, cov)
    rows, mixed, kinds = [], [], []
    for f in m.factors:
        ind = m.indicators(f)
        if len(ind) < 2:  # semTools dropSingle
            continue
        lam = m.lam.loc[ind, f].to_numpy()
        if (lam > 0).any() and (lam < 0).any():
            minority = lam < 0 if (lam < 0).sum() <= (lam > 0).sum() else lam > 0
            mixed.append(f"{f} ({', '.join(i for i, b in zip(ind, minority) if b)})")
        cat = [i in m.thresholds for i in ind]
        kind = (f"{f} ({', '.join(i for i, c in zip(ind, cat) if c)} ordered; "
                f"{', '.join(i for i, c in zip(ind, cat) if not c)} continuous)")
        if sigma is None:                   # alpha of codes with missing cells: semTools' NA
            value = np.nan
        elif tau_eq:
            if any(cat) and not all(cat) and not ord_scale:
                kinds.append(kind)
                value = np.nan
            else:
                value = _alpha(sigma.loc[ind, ind].to_numpy())
        elif any(cat) and not all(cat):
            kinds.append(kind)
            value = np.nan
        elif all(cat) and ord_scale:
            value = omega_cat(np.outer(lam, lam) * m.factor_variance(f), sigma.loc[ind, ind].to_numpy(),
                              [m.thresholds[i] for i in ind], m.scales(ind))
        else:
            value = lam.sum() ** 2 * m.factor_variance(f) / sigma.loc[ind, ind].to_numpy().sum()
        rows.append({"construct": f, "n_items": len(ind), what: value})
    for hf in higher:
        rows.append({"construct": hf, **_higher_omega(m, sigma, hf)})
    if return_total and len(rows) > 1:
        rows.append({"construct": "total", **_total(m, sigma, [r["construct"] for r in rows], tau_eq=tau_eq,
                                                     ord_scale=ord_scale)})
    if code_na:
        _warnings.warn(code_na, stacklevel=2)
    _phantom_warning(m, what)
    if kinds:
        _warnings.warn((MIXED_ALPHA_WARNING if tau_eq else MIXED_OMEGA_WARNING) + ": " + "; ".join(kinds) + "; NaN",
                       stacklevel=2)
    if mixed:
        _warnings.warn(f"{what} of construct(s) whose loadings have opposite signs, " + "; ".join(mixed)
                       + (": omega sums the signed loadings" if not tau_eq else ": alpha sums items scored in "
                          "opposite directions") + ", so it is low whatever the items' reliability; recode "
                         "reverse-keyed items first", stacklevel=2)
    out = pd.DataFrame(rows, columns=["construct", "n_items", what]).set_index("construct")
    out["cutoff"] = ALPHA_CUTOFF if tau_eq else OMEGA_CUTOFF
    return _flag_improper(out, m, what, out["cutoff"].iloc[0] if len(out) else OMEGA_CUTOFF,
                          model=not tau_eq or (cov is None and not codes))


def _total(m: Measurement, sigma: pd.DataFrame | None, facs: list[str], *, tau_eq: bool,
           ord_scale: bool) -> dict[str, Any]:
    """semTools' ``return.total``: the composite of all items of the factors ``facs`` (see
    :func:`composite_reliability`)."""
    items = [i for i in m.items if (m.lam.loc[i, facs] != 0).any()]
    cat = [i in m.thresholds for i in items]
    if any(cat) and not all(cat):
        _warnings.warn(f"{MIXED_TOTAL_WARNING}: {', '.join(i for i, c in zip(items, cat) if c)} ordered, "
                       f"{', '.join(i for i, c in zip(items, cat) if not c)} continuous; NaN", stacklevel=3)
        return {"n_items": len(items), ("alpha" if tau_eq else "omega"): np.nan}
    if tau_eq:
        return {"n_items": len(items), "alpha": np.nan if sigma is None else _alpha(sigma.loc[items, items].to_numpy())}
    if all(cat) and ord_scale:
        raise ValueError("omega of the total composite of ordered items on their ordinal scale: semTools 0.5-6's "
                         "compRelSEM(return.total = TRUE) fails on it (omegaCat gets the summed common variance: "
                         "\"non-conformable arguments\"); not computed (ord_scale=False gives the latent "
                         "responses' total)")
    L = m.lam.loc[items, facs].to_numpy()
    common = float((L @ m.cov_lv().loc[facs, facs].to_numpy() @ L.T).sum())
    return {"n_items": len(items), "omega": common / float(sigma.loc[items, items].to_numpy().sum())}


def _higher_omega(m: Measurement, sigma: pd.DataFrame, hf: str) -> dict[str, Any]:
    """semTools' compRelSEM(higher = hf) of one higher-order factor (see :func:`composite_reliability`)."""
    if hf not in m.factors:
        raise ValueError(f"higher={hf!r}: not a factor of the model")
    B = m.beta()
    lat = [g for g in m.factors if B.loc[g, hf] != 0]
    if not lat:
        raise ValueError(f"higher={hf!r}: no factor loads on it (not a higher-order factor)")
    on = [hf] + lat
    items = [i for i in m.items if (m.lam.loc[i, on] != 0).any()]
    cat = [i for i in items if i in m.thresholds]
    if cat:
        raise ValueError(f"omega of the higher-order factor {hf!r} with ordered items ({', '.join(cat)}): "
                         "semTools 0.5-6's compRelSEM(higher =) fails on them; not computed")
    L = m.lam.loc[items, on].to_numpy()
    b = B.loc[on, on].to_numpy()
    phi = m.cov_lv().loc[on, on].to_numpy()
    common = float((L @ b @ phi @ b.T @ L.T).sum())
    return {"n_items": len(items), "omega": common / float(sigma.loc[items, items].to_numpy().sum())}


#: the same statistic under its other name
omega = composite_reliability


def ave(estimates: Any, cov: Any = None) -> pd.DataFrame:
    """Average variance extracted of every factor with two or more indicators, semTools' ``AVE``.

    ave_f = sum_i lambda_if^2 var(f) / sum_i var(y_i), the variances taken from ``cov`` (lavaan's sampstat:
    semTools' default ``obs.var=TRUE``) or, when omitted, model-implied (``obs.var=FALSE``).  Ordered items:
    the variances of the latent responses, ``cov`` divided by the squared scales as semTools does (1 in
    lavaan's default delta parameterization; in the theta parameterization the model-scale variances).  NaN when an
    indicator of f cross-loads (as semTools).  Flag: ave >= .50 (<NA> when NaN); of an improper construct <NA>, with
    ``improper`` saying why and a warning, as :func:`composite_reliability`.

    The package's one AVE: the book (pipeline step ``measure``), the Fornell-Larcker criterion
    (:func:`~iur_survey.measure.fornell_larcker`) and the tables of ``iur-survey tables``
    (:func:`iur_survey.report.paper.fit_ave`) all take it from here.  It is not the mean squared standardized
    loading (the average of the items' R², every item weighed equally), which differs from semTools' value
    when the items' variances differ.

    >>> est = pd.DataFrame({"lhs": ["F", "F", "F", "a", "b", "c", "F"], "op": ["=~"] * 3 + ["~~"] * 4,
    ...                     "rhs": ["a", "b", "c", "a", "b", "c", "F"],
    ...                     "est": [1.0, 0.8, 0.6, 0.5, 0.36, 0.64, 1.0]})
    >>> # AVE = (1 + .64 + .36) / (1.5 + 1 + 1): implied item variances lambda^2 + theta
    >>> ave(est).round(4)  # doctest: +NORMALIZE_WHITESPACE
               n_items     ave  cutoff  meets_cutoff improper
    construct
    F                3  0.5714     0.5          True
    """
    m = Measurement(estimates)
    sigma = _denominator_cov(m, cov)
    rows = []
    for f in m.factors:
        ind = m.indicators(f)
        if len(ind) < 2:
            continue
        if any(m.cross_loading(i) for i in ind):
            value = np.nan
        else:
            lam = m.lam.loc[ind, f].to_numpy()
            value = (lam**2).sum() * m.factor_variance(f) / np.diag(sigma.loc[ind, ind].to_numpy()).sum()
        rows.append({"construct": f, "n_items": len(ind), "ave": value})
    _phantom_warning(m, "ave")
    out = pd.DataFrame(rows, columns=["construct", "n_items", "ave"]).set_index("construct")
    out["cutoff"] = AVE_CUTOFF
    return _flag_improper(out, m, "ave", AVE_CUTOFF)
