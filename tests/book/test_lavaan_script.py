"""The R script that the reproducibility chapter prints refits the book's model in lavaan with the same
numbers.

Why this test runs R (``needs_r``; skipped without R + lavaan + jsonlite; slow): what it checks is that the
package's *generated* R script (``iur_survey.pipeline.r_script``) runs in R and encodes the same data, model and
options as the package's fit; a script's run cannot be stored.  It makes no reference and compares with none: the
numbers are the script's own output against the package's fit of the same cleaned data, at loose tolerances
(chisq 1e-4 relative, indices 1e-3) that catch a wrong option, not engine round-off.  The engine's agreement
with lavaan to tight tolerances is tested on stored references (tests/reference/json/, made by
tests/reference/make_refs.R).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from iur_survey.book import DEFAULT_DATA
from iur_survey.pipeline import r_script

pytestmark = [pytest.mark.slow, pytest.mark.needs_r]


def test_the_printed_r_script_gives_the_same_fit(tmp_path):
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
