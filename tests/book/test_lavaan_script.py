"""The R script that the reproducibility chapter prints refits the book's model in lavaan with the same
numbers (slow; skipped without R and lavaan)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from iur_survey.book import DEFAULT_DATA
from iur_survey.pipeline import r_script

pytestmark = [pytest.mark.slow]


def test_the_printed_r_script_gives_the_same_fit(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed (make refs installs R and lavaan)")
    probe = subprocess.run(["Rscript", "-e", "library(lavaan); library(jsonlite)"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("R packages lavaan/jsonlite are not installed")
    from iur_survey.clean import clean
    from iur_survey.instrument import load_instrument
    from iur_survey.read import read_export
    from iur_survey.sem import sem
    from iur_survey.study import default_model

    inst = load_instrument()
    res = clean(read_export(DEFAULT_DATA, inst), inst)
    res.write(tmp_path / "clean")                      # what `iur-survey clean EXPORT --out clean/` writes
    model = default_model(inst)
    script = r_script(model, estimator="ML", missing="ml")
    assert "summary(fit" in script
    script = script.rsplit("\n", 1)[0] + "\n" + \
        'cat(jsonlite::toJSON(as.list(fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr"))), auto_unbox = TRUE, digits = NA))\n'
    (tmp_path / "fit.R").write_text(script)
    proc = subprocess.run(["Rscript", "fit.R"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lav = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = sem(model, res.clean, missing="fiml").fit_measures()
    assert lav["df"] == ours["df"]
    assert lav["chisq"] == pytest.approx(ours["chisq"], rel=1e-4)
    for key in ("cfi", "tli", "rmsea", "srmr"):
        assert lav[key] == pytest.approx(ours[key], abs=1e-3), key
