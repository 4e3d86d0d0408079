"""Display-order data of a randomized survey: read, reported, and warned about by the cleaning."""

from __future__ import annotations

import csv
import json
import random
import warnings

import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.clean.pipeline import ORDER_RULES, DisplayOrderWarning
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export

INST = load_instrument()


def _with_columns(path, out, columns):
    """A copy of a Qualtrics export with ``columns`` (header, label, import id, value of row i) after ``Q2_4``."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    at = rows[0].index("Q2_4") + 1
    for j, (name, label, import_id, value) in enumerate(columns):
        rows[0].insert(at + j, name)
        rows[1].insert(at + j, label)
        rows[2].insert(at + j, json.dumps({"ImportId": import_id}))
        for i, row in enumerate(rows[3:]):
            row.insert(at + j, value(i))
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    d = tmp_path_factory.mktemp("display_order")
    base = write_export(simulate(200, seed=4).frame, INST, "qualtrics", d / "plain.csv")
    rng = random.Random(4)
    orders = ["|".join(rng.sample("1234", 4)) for _ in range(400)]
    statements = _with_columns(base, d / "statements.csv", [
        ("Q2_DO", "Government plays an effective guiding role - Display Order", "QID2_DO", lambda i: orders[i]),
        ("FL_6_DO", "Block Randomizer - Display Order", "FL_6_DO", lambda i: "GOV|MKT" if i % 2 else "MKT|GOV")])
    choices = _with_columns(base, d / "choices.csv", [
        ("Q1_DO", "Which kind of organisation do you work for? - Display Order", "QID1_DO", lambda i: orders[i])])
    return base, statements, choices


def test_display_order_columns_are_found_and_reported(exports):
    _, statements, _ = exports
    raw = read_export(statements, INST)
    assert raw.display_order == ["Q2_DO", "FL_6_DO"]
    assert set(raw.display_order) <= set(raw.dropped_columns)
    with pytest.warns(DisplayOrderWarning, match=r"display-order data \(Q2_DO, FL_6_DO\).*longstring"):
        res = clean(raw, INST)
    assert res.report["source"]["display_order_columns"] == ["Q2_DO", "FL_6_DO"]
    assert any("display-order data" in w for w in res.report["warnings"])
    assert "WARNING: the export has display-order data" in res.summary()


def test_no_warning_without_display_order_or_order_rules(exports):
    plain, statements, choices = exports
    for path, cfg in ((plain, None), (choices, None), (statements, CleanConfig.from_dict({"disable": list(ORDER_RULES)}))):
        raw = read_export(path, INST)
        with warnings.catch_warnings():
            warnings.simplefilter("error", DisplayOrderWarning)
            res = clean(raw, INST, cfg)
        assert not any("display-order" in w for w in res.report["warnings"])
    assert read_export(choices, INST).display_order == []         # the order of the role question's choices
    assert "Q1_DO" in read_export(choices, INST).dropped_columns


def test_display_order_leaves_the_answers_alone(exports):
    plain, statements, _ = exports
    a, b = read_export(plain, INST).frame, read_export(statements, INST).frame
    assert a.drop(columns="_row").equals(b.drop(columns="_row"))
