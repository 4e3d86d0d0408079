"""Writes data/nonconverged_51.csv: 51 cases, 9 items, on which the 3-factor CFA data/cfa3.lav does not converge.

F1 (a1-a3) and F2 (b1-b3) are ordinary factors; the c items have correlations of inconsistent sign
(c1-c2 positive, c2-c3 positive, c1-c3 negative), which no one-factor model can reproduce: the optimizer
wanders and lavaan 0.6.14 says "the optimizer warns that a solution has NOT been found!" and refuses
fit measures (make_nonconverged_ref.R records that in data/nonconverged_51.lavaan.json).
Seed 43 of the search that produced it.  The stored CSV is the fixture; tests only read it.
Run: python tests/base/make_nonconverged_data.py  (test collection skips it: tests/conftest.py)
"""
from pathlib import Path

import numpy as np
import pandas as pd


def main(seed: int = 43, n: int = 51) -> None:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    cols = {}
    for j, name in enumerate("ab"):
        for k in range(3):
            cols[f"{name}{k + 1}"] = 0.7 * f[:, j] + 0.7 * rng.normal(size=n)
    z = rng.normal(size=(n, 3))
    c1 = z[:, 0]
    c2 = 0.5 * z[:, 0] + z[:, 1]
    c3 = 0.5 * c2 - 0.45 * c1 + z[:, 2]
    cols["c1"], cols["c2"], cols["c3"] = c1, c2, c3
    d = pd.DataFrame(cols).round(0).clip(-3, 3) + 4
    d.to_csv(Path(__file__).with_name("data") / "nonconverged_51.csv", index=False)


if __name__ == "__main__":
    main()
