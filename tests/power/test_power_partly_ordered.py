"""--from-results of a partly ordered fit (some items ordered, others continuous): power does not draw a mix of
codes and continuous items, and says so in one typed line (it said "thresholds are given for some variables but
not for d: give them for all or none", with --continuous too); --continuous draws its y* and the continuous
items (the ordered items' y* variance 1, the delta parameterization)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import PowerInputError
from iur_survey.power import PopulationModel
from iur_survey.sem import sem


@pytest.fixture(scope="module")
def partly(tmp_path_factory):
    rng = np.random.default_rng(5)
    eta = rng.normal(size=(400, 1))
    y = eta @ [[0.8, 0.7, 0.6, 0.7]] + rng.normal(size=(400, 4)) * 0.6
    d = pd.DataFrame(np.digitize(y[:, :3], [-1, 0, 1]) + 1, columns=["a", "b", "c"])
    d["d"] = y[:, 3]
    doc = sem("F =~ a + b + c + d", d, ordered=["a", "b", "c"]).to_dict()
    doc["call"] = {"model": {"syntax": "F =~ a + b + c + d"}}
    path = tmp_path_factory.mktemp("partly") / "results.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, d


def test_population_of_a_partly_ordered_fit_is_continuous(partly):
    path, d = partly
    pm = PopulationModel.from_results(path)
    assert pm.partly_ordered == (("a", "b", "c"), ("d",))
    assert not pm.likert and pm.thresholds is None
    np.testing.assert_allclose(np.diag(pm.sigma)[:3], 1.0, atol=1e-6)        # y* of the ordered items
    assert np.diag(pm.sigma)[3] == pytest.approx(d["d"].var(ddof=0), rel=0.1)


def test_cli_refuses_codes_from_a_partly_ordered_fit_in_one_typed_line(partly, tmp_path, capsys):
    path, _ = partly
    rc = main(["power", "--from-results", str(path), "--n", "100", "--reps", "2", "--workers", "0",
               "--parameters", "all", "--out", str(tmp_path / "p")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1, err
    assert "partly ordered fit (a, b, c ordered; d continuous)" in err and "--continuous" in err
    assert not (tmp_path / "p" / "power.csv").exists()


def test_the_refusal_is_a_power_input_error(partly, tmp_path):
    from iur_survey.commands.power import add_arguments, run
    import argparse
    path, _ = partly
    ap = argparse.ArgumentParser()
    add_arguments(ap)
    args = ap.parse_args(["--from-results", str(path), "--n", "100", "--reps", "2", "--workers", "0", "--out",
                           str(tmp_path / "x")])
    with pytest.raises(PowerInputError, match="partly ordered"):
        run(args)


def test_cli_draws_its_y_star_with_continuous(partly, tmp_path, capsys):
    path, _ = partly
    assert main(["power", "--from-results", str(path), "--n", "100", "--reps", "2", "--workers", "0", "--continuous",
                 "--parameters", "all", "--quiet", "--out", str(tmp_path / "p")]) == 0
    t = pd.read_csv(tmp_path / "p" / "power.csv")
    assert (t["converged"] == 2).all() and "F=~b" in set(t["parameter"])
