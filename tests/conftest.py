"""Collection rules for the whole test suite.

Generator scripts (``make_*.py``: they write the stored reference data and are run by hand, see each
script's docstring) are never imported by ``pytest --doctest-modules``: an import must not rewrite a
tracked file.  Each also guards its work with ``if __name__ == "__main__":``.
"""

collect_ignore_glob = ["make_*.py", "*/make_*.py", "*/*/make_*.py"]


import functools  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


def pytest_configure(config):
    """Nothing a test run makes lands in the checkout: the book pipeline's cache goes to a temporary folder,
    npm's MathJax to the user's cache (shared by runs, as an installed package's), Hypothesis' examples to a
    temporary folder (set before any test imports hypothesis).

    The tests name their data by its path from the checkout's root (``tests/reference/data/...``, also as
    command-line arguments): the run works from that root whatever directory pytest was started in (called
    as ``cd /tmp && pytest /path/to/checkout/tests``, five modules failed to import)."""
    os.chdir(Path(__file__).resolve().parent.parent)
    run = Path(tempfile.mkdtemp(prefix="iur-survey-tests-"))
    os.environ.setdefault("IUR_SURVEY_WORKDIR", str(run / "book-cache"))
    os.environ.setdefault("IUR_SURVEY_CACHE", str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                                                  / "iur-survey"))
    from hypothesis import configuration
    configuration.set_hypothesis_home_dir(run / "hypothesis")


@functools.lru_cache(maxsize=None)
def r_missing() -> str | None:
    """Why R cannot run here (None when ``Rscript`` with lavaan and jsonlite is found); asked once, and only when
    a ``needs_r`` test runs."""
    exe = shutil.which("Rscript")
    if exe is None:
        return "Rscript is not on PATH"
    try:
        probe = subprocess.run([exe, "--vanilla", "-e", "library(lavaan); library(jsonlite)"], capture_output=True,
                               text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Rscript did not run ({exc})"
    return None if probe.returncode == 0 else "the R packages lavaan and jsonlite are not installed"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """``@pytest.mark.needs_r`` (registered in pyproject.toml): the test runs R on a script the package exports
    (an integration check: R cannot be stored); it is skipped without R + lavaan + jsonlite.  References compared
    with lavaan are never made by a test: they are stored next to it with the R script that made them."""
    if item.get_closest_marker("needs_r") is not None:
        why = r_missing()
        if why:
            pytest.skip(f"needs_r: {why}")


@pytest.fixture(scope="session")
def nonconverged_51_cli(tmp_path_factory):
    """``iur-survey fit tests/base/data/nonconverged_51.csv --model cfa3.lav`` (lavaan does not converge on these
    data either; every start runs to the iteration limit: half a minute), made once per worker for the tests
    that read it (xdist group "nonconverged_51"): its exit status, stdout, stderr, the results.json it wrote, and
    the result objects the command's own ``sem()`` call returned."""
    import contextlib
    import io

    import iur_survey.sem as sem_package
    from iur_survey.cli import main

    made = []
    real = sem_package.sem

    def recording_sem(*args, **kwargs):
        res = real(*args, **kwargs)
        made.append(res)
        return res

    data = Path(__file__).resolve().parent / "base" / "data"
    out = tmp_path_factory.mktemp("nonconverged_51") / "results.json"
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        mp.setattr(sem_package, "sem", recording_sem)
        rc = main(["fit", str(data / "nonconverged_51.csv"), "--model", str(data / "cfa3.lav"), "--out", str(out)])
    return rc, stdout.getvalue(), stderr.getvalue(), out, made


@pytest.fixture
def cli_help(capsys):
    """``cli_help("fit")``: the ``iur-survey fit --help`` text (argparse exits with status 0 after printing it)."""
    from iur_survey.cli import main

    def text(command: str) -> str:
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        return capsys.readouterr().out
    return text


#: the data and model of :func:`small_results`
SMALL_DATA = str(Path(__file__).parent / "sem" / "ordinal_refs" / "wlsmv_groups_630.csv")
SMALL_MODEL = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nF2 ~ F1\n"


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    """The results.json of ``iur-survey fit`` of a small two-factor model (``m.lav`` beside it), for command tests."""
    from iur_survey.cli import main

    d = tmp_path_factory.mktemp("fit")
    (d / "m.lav").write_text(SMALL_MODEL)
    out = d / "results.json"
    assert main(["fit", SMALL_DATA, "--model", str(d / "m.lav"), "--out", str(out)]) == 0
    return out
