"""The resample indices behind the bootstrap references of Cronbach's alpha and ordinal alpha.

    python tests/measure/alphaboot_refs/make_indices.py

Writes indices.csv next to this script: B = 100 rows, one per bootstrap draw, of N = 301 row numbers (1-based, as R
indexes), draw b's rows by the package's per-draw streams (iur_survey.sem.bootstrap.draw_indices(SEED, b, [N]),
the rows cronbach_alpha(..., boot=B, seed=SEED) and ordinal_alpha(..., boot=B, seed=SEED) resample for a
construct with N complete rows).  make_refs.R reads it; test_alphaboot.py checks it is still what the package draws.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from iur_survey.sem.bootstrap import draw_indices

SEED, B, N = 2026, 100, 301

if __name__ == "__main__":
    idx = np.vstack([draw_indices(SEED, b, [N])[0] + 1 for b in range(B)])
    np.savetxt(Path(__file__).resolve().parent / "indices.csv", idx, fmt="%d", delimiter=",")
