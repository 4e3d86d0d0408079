"""Independent reference for the PLS engine: the PyPI package plspm (a Python port of R's plspm), NOT a project
dependency and never imported by the tests.  Made with plspm 0.5.7, pandas 2.1.4, numpy 1.26.4 (Python 3.11)
in a separate virtual environment (plspm 0.5.7 does not run under pandas 3):

    python -m venv /tmp/plspm && /tmp/plspm/bin/pip install plspm==0.5.7 "pandas<2.2" "numpy<2"
    /tmp/plspm/bin/python tests/pls/reference/make_plspm_ref.py      # from the repository root

Writes tests/pls/reference/plspm_refs.json: outer loadings and path coefficients of lavaan's PoliticalDemocracy
(tests/reference/data/poldem.csv) and HolzingerSwineford1939 (tests/reference/data/hs1939.csv), mode A, for the
path, factorial and centroid schemes.  plspm 0.5.7's ``scaled=True`` does not standardize these data, so it is
given z-scores (SD with divisor n - 1); its outer weights use the population SD (divisor n) and are not kept.
"""

import importlib.metadata as md
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plspm.config as c
from plspm.mode import Mode
from plspm.plspm import Plspm
from plspm.scheme import Scheme

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "reference" / "data"
MODELS = {
    "poldem": ("poldem.csv", {"ind60": ["x1", "x2", "x3"], "dem60": ["y1", "y2", "y3", "y4"],
                              "dem65": ["y5", "y6", "y7", "y8"]},
               [("ind60", "dem60"), ("ind60", "dem65"), ("dem60", "dem65")]),
    "hs1939": ("hs1939.csv", {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]},
               [("visual", "textual"), ("visual", "speed"), ("textual", "speed")]),
}
out = {"made_with": {"plspm": md.version("plspm"), "pandas": pd.__version__, "numpy": np.__version__}}
for name, (f, blocks, paths) in MODELS.items():
    items = [i for b in blocks.values() for i in b]
    df = pd.read_csv(DATA / f)[items]
    df = (df - df.mean()) / df.std()
    st = c.Structure()
    for s, t in paths:
        st.add_path([s], [t])
    path = st.path()
    case = {"model": "\n".join(f"{k} =~ {' + '.join(v)}" for k, v in blocks.items()) + "\n"
                     + "\n".join(f"{t} ~ {s}" for s, t in paths)}
    for scheme in ("path", "factorial", "centroid"):
        cfg = c.Config(path, scaled=True)
        for con, its in blocks.items():
            cfg.add_lv(con, Mode.A, *[c.MV(i) for i in its])
        r = Plspm(df, cfg, getattr(Scheme, scheme.upper()), iterations=300, tolerance=1e-12)
        om, pc = r.outer_model(), r.path_coefficients()
        case[scheme] = {"loadings": {i: float(om.loc[i, "loading"]) for i in items},
                        "paths": {f"{t} ~ {s}": float(pc.loc[t, s]) for s, t in paths}}
    out[name] = case
(HERE / "plspm_refs.json").write_text(json.dumps(out, indent=1) + "\n")
print(json.dumps(out["poldem"]["path"]["paths"]))
