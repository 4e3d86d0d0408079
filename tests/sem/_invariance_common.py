"""Shared, cached fits for tests/sem/test_compare*.py and test_invariance*.py (one fit per process)."""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd

from iur_survey.sem import sem
from iur_survey.sem.invariance import measurement_invariance
from tests.reference.compare import MODEL_DIR, load_reference, reference_data

HERE = Path(__file__).resolve().parent
REFS = HERE / "invariance_refs" / "invariance_refs.json"

#: invariance family -> (mg_compare suffix, data set, measurement_invariance kwargs)
FAMILIES = {
    "ml": ("", "groups_1200", {}),
    "mlr": ("_mlr", "groups_1200", {"estimator": "MLR"}),
    "fiml": ("_fiml", "groups_missing_1200", {"missing": "fiml"}),
}


def cfa_model() -> str:
    return (MODEL_DIR / "cfa.lav").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def data(name: str) -> pd.DataFrame:
    return reference_data({"dataset": name})


@lru_cache(maxsize=None)
def invariance(family: str):
    suffix, dname, kw = FAMILIES[family]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return measurement_invariance(cfa_model(), data(dname), "role", **kw)


def compare_ref(family: str) -> dict:
    return load_reference("mg_compare" + FAMILIES[family][0])


@lru_cache(maxsize=None)
def refs() -> dict:
    return json.loads(REFS.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def wald_fit(estimator: str):
    r = refs()
    return sem(r["sem_model"], data("groups_1200"), group="role", estimator=estimator)


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["model"] = df["model"].str.replace("fits$", "", regex=False)
    return df.set_index("model")
