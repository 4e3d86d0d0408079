"""Deterministic data sets for the lavaan reference outputs (tests/reference/data/*.csv).

Self-contained on purpose (numpy + pandas only, no iur_survey import): the references must not move when the
package's simulator changes.  Every set is drawn from one small population SEM:

* five correlated mechanisms GOV MKT BEN VAL TAL (standardised, correlations .25-.45),
* COL = a'X + zeta, INT = b COL + c'X + zeta (latent variances 1),
* 28 items GOV1..INT4 (already reverse-scored, i.e. positively keyed), standardised loadings .60-.85 on their
  construct plus a common-method factor (loading .30 on every item, orthogonal to the constructs),
* a continuous response y* cut at four thresholds into the Likert codes 1..5.

Columns of every CSV: response_id, role, GOV1..INT4 (integers 1..5, empty cell = missing).

Run ``python tests/reference/make_data.py`` (``make refs`` does it before ``Rscript make_refs.R``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "data"

CONSTRUCTS = ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")
MECHANISMS = CONSTRUCTS[:5]
ITEMS = tuple(f"{c}{k}" for c in CONSTRUCTS for k in range(1, 5))
ROLES = ("enterprise", "university", "research_institute", "government")
ROLE_P = (0.42, 0.30, 0.20, 0.08)

# --- population ---------------------------------------------------------------------------------
#: mechanism correlations (GOV MKT BEN VAL TAL)
PHI = np.array(
    [
        [1.00, 0.35, 0.30, 0.25, 0.40],
        [0.35, 1.00, 0.40, 0.30, 0.35],
        [0.30, 0.40, 1.00, 0.45, 0.30],
        [0.25, 0.30, 0.45, 1.00, 0.35],
        [0.40, 0.35, 0.30, 0.35, 1.00],
    ]
)
A = np.array([0.30, 0.20, 0.25, 0.15, 0.20])  # COL ~ mechanisms (standardised metric)
B = 0.45  # INT ~ COL
C = np.array([0.10, 0.15, 0.00, 0.10, 0.05])  # INT ~ mechanisms (direct effects)
#: standardised loadings of the four items of each construct (population), all in .60-.85
LOADINGS = {
    "GOV": (0.80, 0.72, 0.65, 0.78),
    "MKT": (0.75, 0.82, 0.68, 0.70),
    "BEN": (0.78, 0.70, 0.80, 0.62),
    "VAL": (0.72, 0.66, 0.85, 0.74),
    "TAL": (0.82, 0.76, 0.60, 0.71),
    "COL": (0.80, 0.77, 0.74, 0.69),
    "INT": (0.84, 0.79, 0.63, 0.75),
}
METHOD_LOADING = 0.30
#: base thresholds on the y* scale (surveys lean to agreement); each item gets a small shift
BASE_TAU = np.array([-1.9, -1.0, -0.1, 0.95])


def latent_scores(rng: np.random.Generator, n: int, means: np.ndarray | None = None) -> np.ndarray:
    """n x 7 latent scores (GOV MKT BEN VAL TAL COL INT) with unit variances."""
    x = rng.multivariate_normal(np.zeros(5), PHI, size=n, method="cholesky")
    if means is not None:
        x = x + means[:5]
    var_col_sys = A @ PHI @ A
    col = x @ A + rng.standard_normal(n) * np.sqrt(1.0 - var_col_sys)
    # var(INT) = 1: systematic part b*COL + c'X
    w = np.append(C, B)
    cov6 = np.block([[PHI, (PHI @ A)[:, None]], [(A @ PHI)[None, :], np.ones((1, 1))]])
    var_int_sys = w @ cov6 @ w
    intg = x @ C + B * col + rng.standard_normal(n) * np.sqrt(1.0 - var_int_sys)
    eta = np.column_stack([x, col, intg])
    if means is not None:
        eta[:, 5:] += means[5:]
    return eta


def item_shifts(rng: np.random.Generator) -> np.ndarray:
    """Per-item threshold shifts (fixed per data-set seed)."""
    return rng.uniform(-0.35, 0.20, size=len(ITEMS))


def continuous_items(
    rng: np.random.Generator,
    eta: np.ndarray,
    *,
    cross: dict[str, tuple[str, float]] | None = None,
    loading_override: dict[str, float] | None = None,
) -> np.ndarray:
    """n x 28 y* responses with unit population variance (when no cross loadings)."""
    n = eta.shape[0]
    method = rng.standard_normal(n)
    y = np.empty((n, len(ITEMS)))
    for j, item in enumerate(ITEMS):
        c = CONSTRUCTS.index(item[:3])
        lam = LOADINGS[item[:3]][int(item[3]) - 1]
        if loading_override and item in loading_override:
            lam = loading_override[item]
        sys_part = lam * eta[:, c] + METHOD_LOADING * method
        resid = 1.0 - lam**2 - METHOD_LOADING**2
        if cross and item in cross:
            other, lam2 = cross[item]
            sys_part = sys_part + lam2 * eta[:, CONSTRUCTS.index(other)]
            r = np.corrcoef(eta[:, c], eta[:, CONSTRUCTS.index(other)])[0, 1]
            resid = max(1.0 - lam**2 - lam2**2 - 2 * lam * lam2 * r - METHOD_LOADING**2, 0.05)
        y[:, j] = sys_part + rng.standard_normal(n) * np.sqrt(resid)
    return y


def to_likert(y: np.ndarray, shifts: np.ndarray, base_tau: np.ndarray = BASE_TAU) -> np.ndarray:
    """Cut y* at item-specific thresholds into codes 1..len(base_tau)+1."""
    tau = base_tau[None, :] + shifts[:, None]  # items x thresholds
    return 1 + (y[:, :, None] > tau[None, :, :]).sum(axis=2)


def frame(codes: np.ndarray, roles: np.ndarray, prefix: str) -> pd.DataFrame:
    n = codes.shape[0]
    df = pd.DataFrame(codes, columns=list(ITEMS)).astype("Int64")
    df.insert(0, "role", roles)
    df.insert(0, "response_id", [f"{prefix}_{i + 1:04d}" for i in range(n)])
    return df


def draw_roles(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.array(ROLES), size=n, p=np.array(ROLE_P))


def make_complete(seed: int, n: int, prefix: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    shifts = item_shifts(rng)
    roles = draw_roles(rng, n)
    eta = latent_scores(rng, n)
    return frame(to_likert(continuous_items(rng, eta), shifts), roles, prefix)


def add_missing(df: pd.DataFrame, seed: int, rate: float) -> pd.DataFrame:
    """Delete about ``rate`` of the item cells: half MCAR, half MAR on the always-observed GOV1 and MKT1.

    GOV1 and MKT1 stay complete, so every row keeps data and the MAR part depends on observed values only:
    respondents who rate GOV1 low skip COL/INT/TAL items more often.
    """
    rng = np.random.default_rng(seed)
    out = df.copy()
    items = [c for c in ITEMS if c not in ("GOV1", "MKT1")]
    n = len(df)
    total = rate * len(ITEMS) / len(items)  # target rate on the items that can go missing
    p = np.full((n, len(items)), total / 2)
    low = (df["GOV1"].to_numpy(dtype=float) <= 3) | (df["MKT1"].to_numpy(dtype=float) <= 2)
    mar_cols = np.array([c[:3] in ("COL", "INT", "TAL") for c in items])
    # MAR share: concentrate total/2 * len(items) cells-per-row on low rows' COL/INT/TAL items
    share = (total / 2) * len(items) / max(mar_cols.sum() * low.mean(), 1e-9)
    p[np.ix_(low, mar_cols)] += share
    mask = rng.random((n, len(items))) < np.clip(p, 0, 0.9)
    for j, c in enumerate(items):
        out.loc[mask[:, j], c] = pd.NA
    return out


def make_heywood(seed: int = 150, n: int = 150) -> pd.DataFrame:
    """TAL1 gets an unmodelled cross-loading on COL and TAL is measured by TAL1 + TAL2 only in the
    heywood model: the two-indicator factor's TAL1 loading is pushed above 1 and its residual variance below 0."""
    rng = np.random.default_rng(seed)
    shifts = item_shifts(rng)
    roles = draw_roles(rng, n)
    eta = latent_scores(rng, n)
    y = continuous_items(rng, eta, cross={"TAL1": ("COL", 0.45)}, loading_override={"TAL1": 0.80, "TAL2": 0.62})
    return frame(to_likert(y, shifts), roles, "HW")


def make_groups(seed: int = 1200) -> pd.DataFrame:
    """Four roles of unequal size (government 80); latent means differ by role; in the enterprise group MKT3
    has a shifted intercept (+0.45 on the y* scale) that no latent mean explains (non-invariant intercept)."""
    rng = np.random.default_rng(seed)
    shifts = item_shifts(rng)
    sizes = {"enterprise": 480, "university": 360, "research_institute": 280, "government": 80}
    means = {
        "enterprise": np.array([0.0, 0.30, 0.10, 0.0, -0.10, 0.10, 0.05]),
        "university": np.zeros(7),
        "research_institute": np.array([0.10, -0.10, 0.0, 0.10, 0.15, 0.0, -0.05]),
        "government": np.array([0.40, -0.20, 0.0, 0.15, 0.0, 0.10, 0.10]),
    }
    parts = []
    for role, n in sizes.items():
        eta = latent_scores(rng, n, means=means[role])
        y = continuous_items(rng, eta)
        if role == "enterprise":
            y[:, ITEMS.index("MKT3")] += 0.45
        parts.append((to_likert(y, shifts), np.array([role] * n)))
    codes = np.vstack([p[0] for p in parts])
    roles = np.concatenate([p[1] for p in parts])
    order = rng.permutation(len(roles))  # interleave the roles like a real export
    return frame(codes[order], roles[order], "MG")


def make_ordinal(seed: int = 600, n: int = 600) -> pd.DataFrame:
    """Five categories with skewed thresholds (sparse low end), for WLSMV with ordered=TRUE."""
    rng = np.random.default_rng(seed)
    shifts = item_shifts(rng)
    roles = draw_roles(rng, n)
    eta = latent_scores(rng, n)
    return frame(to_likert(continuous_items(rng, eta), shifts, np.array([-2.0, -1.1, -0.2, 0.8])), roles, "OR")


def build() -> dict[str, pd.DataFrame]:
    sets = {}
    sets["complete_800"] = make_complete(800, 800, "C8")
    sets["missing_800"] = add_missing(sets["complete_800"], 8001, 0.03)
    sets["complete_250"] = make_complete(250, 250, "C2")
    sets["missing_300"] = add_missing(make_complete(300, 300, "M3"), 3001, 0.06)
    sets["heywood_150"] = make_heywood()
    sets["ordinal_600"] = make_ordinal()
    sets["groups_1200"] = make_groups()
    sets["groups_missing_1200"] = add_missing(sets["groups_1200"], 12001, 0.03)
    return sets


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, df in build().items():
        df.to_csv(OUT / f"{name}.csv", index=False, na_rep="", lineterminator="\n")
        items = df[list(ITEMS)]
        miss = items.isna().to_numpy().mean()
        cats = sorted(pd.unique(items.stack().astype(int)))
        print(f"{name:14s} n={len(df):5d} missing={miss:6.2%} categories={[int(c) for c in cats]} roles={df['role'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
