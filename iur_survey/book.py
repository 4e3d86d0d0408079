"""Build the iur-survey Jupyter Book: settings, environment, MathJax, the build itself.

The book (``_config.yml``, ``_toc.yml``, ``book/``) is a set of MyST markdown notebooks
that myst-nb executes on every build.  The notebooks never hard-code their inputs: they
read them from :class:`BookSettings`, which comes from environment variables that
:func:`build_book` (the ``iur-survey book`` command) sets for the build process and so
for every notebook kernel:

``IUR_SURVEY_DATA``        the raw export to analyse (default: :data:`DEFAULT_DATA`)
``IUR_SURVEY_INSTRUMENT``  the instrument YAML (default: ``data/instrument.yaml``)
``IUR_SURVEY_WORKDIR``     where the pipeline's results are cached for the chapters

This module is also a Sphinx extension (``_config.yml`` lists it in
``sphinx.extra_extensions``), so a plain ``jupyter-book build .`` reads offline too:

* it vendors MathJax 3 from npm (cached in ``.cache/mathjax``) into ``_static/mathjax``;
* it sets the kernels' matplotlib backend to the inline one even when the caller's
  environment says ``MPLBACKEND=Agg`` (which would silently drop figures);
* it removes the scripts that would load thebe from a CDN.

>>> s = BookSettings.from_env({})
>>> s.data == DEFAULT_DATA, s.instrument.name
(True, 'instrument.yaml')
>>> sorted(BookSettings.from_env({"IUR_SURVEY_DATA": "x.csv"}).to_env())
['IUR_SURVEY_DATA', 'IUR_SURVEY_INSTRUMENT', 'IUR_SURVEY_WORKDIR']
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from . import resources
from .errors import BookInputError
from .instrument import DEFAULT_INSTRUMENT

#: the book's source folder (where ``_config.yml``, ``_toc.yml`` and ``book/`` live: the checkout, or the
#: installed package's bundle; located by :mod:`iur_survey.resources`)
REPO_ROOT = resources.book_source()
#: the bundled demo export the book analyses when no ``--data`` is given (one constant)
DEFAULT_DATA = resources.demo_export()
#: where ``iur-survey book`` writes by default (HTML in ``_build/html``)
DEFAULT_OUT = resources.default_build_dir()
#: MathJax release vendored from npm so the book renders formulas offline
MATHJAX_VERSION = "3.2.2"
#: npm install cache for MathJax (gitignored in a checkout; the user's cache folder when installed)
MATHJAX_CACHE = resources.cache_dir() / "mathjax"
#: the matplotlib backend every notebook kernel runs with
KERNEL_MPLBACKEND = "module://matplotlib_inline.backend_inline"
#: output formats ``iur-survey book --format`` accepts (Sphinx builders that need no network or TeX; "pdf" is
#: the singlehtml build printed by headless Chromium)
FORMATS = ("html", "singlehtml", "dirhtml", "pdf")
#: lines of the Sphinx/kernel log that are noise for a user (shown with --verbose only)
_NOISE = re.compile(r"Kernel is running over TCP|RuntimeWarning|warnings\.warn|^\s*$")

ENV_DATA = "IUR_SURVEY_DATA"
ENV_INSTRUMENT = "IUR_SURVEY_INSTRUMENT"
ENV_WORKDIR = "IUR_SURVEY_WORKDIR"


@dataclass(frozen=True)
class BookSettings:
    """Where the book's inputs are and where the pipeline caches its results."""

    data: Path
    instrument: Path
    workdir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BookSettings":
        """Settings from ``IUR_SURVEY_*`` variables (``os.environ`` by default), else the defaults."""
        env = os.environ if env is None else env
        data = Path(env.get(ENV_DATA) or DEFAULT_DATA)
        instrument = Path(env.get(ENV_INSTRUMENT) or DEFAULT_INSTRUMENT)
        workdir = Path(env.get(ENV_WORKDIR) or DEFAULT_OUT / ".iur-survey")
        return cls(data.resolve(), instrument.resolve(), workdir.resolve())

    def to_env(self) -> dict[str, str]:
        """The environment variables that carry these settings to the notebook kernels."""
        return {ENV_DATA: str(self.data), ENV_INSTRUMENT: str(self.instrument), ENV_WORKDIR: str(self.workdir)}


def kernel_environment(settings: BookSettings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the build process and its kernels.

    The inline backend replaces whatever ``MPLBACKEND`` the caller had (``Agg`` drops figures).

    >>> env = kernel_environment(BookSettings.from_env({}), {"MPLBACKEND": "Agg", "HOME": "/h"})
    >>> env["MPLBACKEND"] == KERNEL_MPLBACKEND, env["HOME"], "IUR_SURVEY_DATA" in env
    (True, '/h', True)
    """
    env = dict(os.environ if base is None else base)
    env.update(settings.to_env())
    env["MPLBACKEND"] = KERNEL_MPLBACKEND
    env.pop("IUR_SURVEY_RESULTS_FROZEN", None)    # set by the build itself once the results are computed
    env.setdefault("PYTHONHASHSEED", "0")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"   # quiets a debugpy warning on stderr in kernels
    return env


# ---------------------------------------------------------------------------- MathJax
def ensure_mathjax(cache: Path = MATHJAX_CACHE, version: str = MATHJAX_VERSION) -> Path:
    """The ``es5`` folder of MathJax ``version``, installed from npm into ``cache`` if absent.

    Raises ``RuntimeError`` with a clear message when npm is missing or fails.
    """
    import fcntl

    es5 = Path(cache) / "node_modules" / "mathjax" / "es5"
    stamp = Path(cache) / f".mathjax-{version}"
    if (es5 / "tex-chtml.js").is_file() and stamp.exists():
        return es5
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed once to vendor MathJax for the offline book "
                           "(apt-get install npm, or install Node.js)")
    Path(cache).mkdir(parents=True, exist_ok=True)
    with open(Path(cache) / ".lock", "w") as lock:      # concurrent builds (parallel tests) install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (es5 / "tex-chtml.js").is_file() and stamp.exists():
            return es5
        cmd = [npm, "install", "--no-audit", "--no-fund", "--no-save", "--no-package-lock",
               "--prefix", str(cache), f"mathjax@{version}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not (es5 / "tex-chtml.js").is_file():
            raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{proc.stderr.strip()[-2000:]}")
        stamp.touch()
    return es5


#: the parts of MathJax's es5 folder the page needs (the combined tex-chtml component and
#: everything it may load lazily: fonts, extensions, menu, accessibility)
_MATHJAX_PARTS = ("tex-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre")


def vendor_mathjax(es5: Path, static_dir: Path) -> Path:
    """Copy the needed parts of MathJax into ``static_dir/mathjax``; returns that folder."""
    dest = Path(static_dir) / "mathjax"
    for part in _MATHJAX_PARTS:
        src = Path(es5) / part
        if src.is_dir():
            shutil.copytree(src, dest / part, dirs_exist_ok=True)
        elif src.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


# ---------------------------------------------------------------------- offline check
_ASSET_PATTERNS = (
    re.compile(r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrc\s*=\s*[\"']((?:https?:)?//[^\"']+)",
               re.I),
    re.compile(r"<link\b[^>]*?\bhref\s*=\s*[\"']((?:https?:)?//[^\"']+)[^>]*>", re.I),
    re.compile(r"@import\s+(?:url\()?[\"']?((?:https?:)?//[^\"')\s]+)", re.I),
    re.compile(r"url\(\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.I),
    re.compile(r"[\"']((?:https?:)?//[^\"'\s]+\.(?:js|css|woff2?|ttf|otf))[\"']", re.I),
)
_LINK_REL_OK = re.compile(r"\brel\s*=\s*[\"'](?:canonical|author|license|me)[\"']", re.I)


def network_assets(html_dir: Path) -> list[tuple[str, str]]:
    """Every (file, url) in the built pages that a browser would fetch from the network to render.

    Plain hyperlinks (``<a href="https://...">``) are not assets and are not listed.  Source
    maps and the theme's licence comments are not scanned.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.html").write_text('<script src="https://cdn.x/m.js"></script><a href="https://ok">x</a>')
    >>> network_assets(d)
    [('a.html', 'https://cdn.x/m.js')]
    """
    html_dir = Path(html_dir)
    found: list[tuple[str, str]] = []
    for path in sorted(html_dir.rglob("*")):
        if path.suffix not in (".html", ".css", ".js") or "mathjax" in path.relative_to(html_dir).parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix != ".html":
            # in scripts and style sheets only url()/@import and quoted asset URLs count
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for pat in _ASSET_PATTERNS:
            for m in pat.finditer(text):
                if pat.pattern.startswith("<link") and _LINK_REL_OK.search(m.group(0)):
                    continue
                url = m.group(1)
                if "www.w3.org/" in url:      # XML namespaces, never fetched
                    continue
                item = (path.relative_to(html_dir).as_posix(), url)
                if item not in found:
                    found.append(item)
    return found


# ----------------------------------------------------------------------- Sphinx hooks
def _on_builder_inited(app) -> None:
    # kernels inherit this process's environment: never let MPLBACKEND=Agg drop figures
    if not os.environ.get("MPLBACKEND", "").endswith("backend_inline"):
        os.environ["MPLBACKEND"] = KERNEL_MPLBACKEND
    # the pipeline runs once, before any chapter; the chapters then load exactly these results
    from .pipeline import ENV_FROZEN, prepare_results
    settings = BookSettings.from_env()
    os.environ.update(settings.to_env())
    prepare_results(settings)
    os.environ[ENV_FROZEN] = "1"
    if app.builder.format == "html":
        app._iur_mathjax_es5 = ensure_mathjax()


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if "thebe" not in str(s).lower()
                                   and "thebe" not in str(getattr(s, "attributes", {}).get("body", "")).lower()]
    css = context.get("css_files")
    if css:
        context["css_files"] = [c for c in css if "thebe" not in str(c).lower()]


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.name == "singlehtml":
        # the single page is the root document (book/index.html) but Sphinx writes its images and style sheets
        # to the output root and links them as "_images/...", "_static/...": give the page's folder them
        root = Path(app.outdir)
        page_dir = (root / app.config.root_doc).parent
        if page_dir != root:
            for sub in ("_images", "_static"):
                if (root / sub).is_dir():
                    shutil.copytree(root / sub, page_dir / sub, dirs_exist_ok=True)
    es5 = getattr(app, "_iur_mathjax_es5", None)
    if exception is None and es5 is not None:
        vendor_mathjax(es5, Path(app.outdir) / "_static")


def setup(app):
    """Sphinx extension entry point (listed in ``_config.yml`` under ``sphinx.extra_extensions``)."""
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_html_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# ---------------------------------------------------------------------------- build
@dataclass
class BuildResult:
    """What :func:`build_book` produced."""

    returncode: int
    output: Path           # the HTML folder (``OUT/html`` for the html builder)
    seconds: float
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def build_command(source: Path, out: Path, fmt: str = "html") -> list[str]:
    """The command that builds the book in a fresh process: jupyter-book's Sphinx build with
    ``-W -n --keep-going`` (warnings are errors, nitpicky, report every problem) on a fresh env."""
    code = ("import sys; from iur_survey.book import _sphinx_main; "
            "sys.exit(_sphinx_main(sys.argv[1], sys.argv[2], sys.argv[3]))")
    return [sys.executable, "-c", code, str(source), str(out), fmt]


def _sphinx_main(source: str, out: str, fmt: str) -> int:
    """Jupyter Book 1.x's ``build`` for a book, with the output folder chosen freely."""
    from jupyter_book.sphinx import build_sphinx

    source_dir = Path(source).resolve()
    out_dir = Path(out).resolve()
    result = build_sphinx(
        source_dir, out_dir / fmt,
        use_external_toc=True, noconfig=True, path_config=str(source_dir / "_config.yml"),
        confoverrides={"external_toc_path": (source_dir / "_toc.yml").as_posix(),
                       "latex_individualpages": False, "nitpicky": True},
        builder=fmt, warningiserror=True, keep_going=True, freshenv=True)
    if isinstance(result, Exception):
        # the cell's own traceback is in the exception chain (nbclient's CellExecutionError)
        exc, seen = result, set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            print(f"build failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            exc = exc.__cause__ or exc.__context__
        return 1
    return int(result or 0)


def _step_progress(echo):
    """A ``progress`` callback for :func:`~iur_survey.pipeline.compute_results`: one line per step with
    its status and time (the step's name first, so a long bootstrap is not silence)."""
    from .pipeline import STEPS
    total = len(STEPS)

    def progress(name, step) -> None:
        k = STEPS.index(name) + 1 if name in STEPS else 0
        if step is None:
            echo(f"  [{k:>2}/{total}] {name} ...")
        else:
            why = f" ({step.reason})" if step.status != "ok" and getattr(step, "reason", None) else ""
            echo(f"  [{k:>2}/{total}] {name}: {step.status} in {step.seconds or 0:.1f} s{why}")
    return progress


_EXEC = re.compile(r"(\S+?\.(?:md|ipynb)): Executing notebook")
_DONE = re.compile(r"(\S+?\.(?:md|ipynb)): Executed notebook in ([0-9.]+) seconds")


def _chapter_echo(echo, verbose: bool):
    """Filter the Sphinx log: everything with ``verbose``; else one line per chapter (when its notebook starts,
    and its time when done) and errors.

    >>> out = []
    >>> f = _chapter_echo(out.append, verbose=False)
    >>> for line in ("/b/book/05_structural.md: Executing notebook using local CWD [mystnb]",
    ...              "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
    ...              "/b/book/05_structural.md: Executed notebook in 12.25 seconds [mystnb]"):
    ...     f(line)
    >>> out
    ['  chapter 05_structural ...', '  chapter 05_structural executed in 12.2 s']
    """
    def line_out(line: str) -> None:
        if verbose:
            echo(line)
            return
        m = _DONE.search(line)
        if m:
            echo(f"  chapter {Path(m.group(1)).stem} executed in {float(m.group(2)):.1f} s")
            return
        m = _EXEC.search(line)
        if m:
            echo(f"  chapter {Path(m.group(1)).stem} ...")
        elif ("ERROR" in line or "Traceback" in line or "Error:" in line) and not _NOISE.search(line):
            echo(line)
    return line_out


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FAILED_CHAPTER = re.compile(r"ExecutionError: (\S+?\.(?:md|ipynb))")
_CELL_ERROR = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Interrupt|Exit)): ?(.*)$")


def plain_log(text: str) -> str:
    r"""The build log without the terminal colour codes a kernel's traceback carries.

    >>> plain_log("\x1b[31mKeyError\x1b[39m: 'GOV'")
    "KeyError: 'GOV'"
    """
    return _ANSI.sub("", text)


def failure_summary(log: str) -> str | None:
    r"""One line naming the chapter whose notebook failed and the error its cell raised, from a build log
    (None when the log names no failed notebook).

    >>> log = ("myst_nb.core.execute.base.ExecutionError: /b/book/05_structural.md\n"
    ...        "\x1b[31mKeyError\x1b[39m                     Traceback (most recent call last)\n"
    ...        "\x1b[31mKeyError\x1b[39m: 'GOV'\n")
    >>> failure_summary(log)
    "chapter 05_structural: a cell raised KeyError: 'GOV'"
    """
    text = plain_log(log)
    m = _FAILED_CHAPTER.search(text)
    if m is None:
        return None
    error = None
    for line in text.splitlines():
        e = _CELL_ERROR.match(line.strip())
        if e and "Traceback" not in line and not e.group(1).endswith("ExecutionError"):
            error = f"{e.group(1)}: {e.group(2)}".rstrip(": ")
    where = f"chapter {Path(m.group(1)).stem}"
    return f"{where}: a cell raised {error}" if error else f"{where}: its notebook failed"


def failed_steps(results) -> list[str]:
    """One line per analysis step of the pipeline that ran and failed for this data (a model that did not
    converge, groups too small to fit ...): the chapter shows a notice, and ``iur-survey book`` repeats these lines
    at its end, ``--quiet`` or not.  Steps that are ``pending`` (not applicable, or waiting for a failed one) are
    not repeated.

    >>> from iur_survey.pipeline import BookResults, Step
    >>> r = BookResults("k", "i", "d.csv", "d.csv", "i.yaml")
    >>> r.steps = {"sem": Step("failed", reason="the model did not converge"), "bootstrap": Step("pending")}
    >>> failed_steps(r)
    ['the analysis step sem failed: the model did not converge; its chapter shows this step as not computed']
    """
    return [f"the analysis step {name} failed: {step.reason}; its chapter shows this step as not computed"
            for name, step in results.steps.items() if step.status == "failed" and name not in ("read", "clean")]


#: the pipeline steps every chapter from the measurement model on rests on: when one fails there is no book to build
MODEL_STEPS = ("cfa", "sem")


class _ModelFailed(Exception):
    """Raised by the progress callback of :func:`build_book` when a step of :data:`MODEL_STEPS` fails."""


def instrument_model_failure(instrument: Path | str) -> str | None:
    """Why the study's model cannot be built from ``instrument`` (a construct it needs is missing), or ``None``.
    An instrument that cannot be loaded at all is left to the pipeline's read step, which names the file.

    >>> instrument_model_failure(DEFAULT_INSTRUMENT) is None
    True
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "i.yaml"
    >>> text = DEFAULT_INSTRUMENT.read_text(encoding="utf-8")
    >>> import re
    >>> _ = p.write_text(re.sub(r"(?m)^  INT\\d?:\\n(?:    .*\\n)+", "", text), encoding="utf-8")   # no INT, no INT1-4
    >>> instrument_model_failure(p)
    "the study's model cannot be built from this instrument: the default model needs constructs COL and INT in the instrument (the mediator and the outcome of the study's mechanisms -> COL -> INT): give fit your own model with --model FILE (lavaan syntax), or, for the book, name yours COL and INT"
    """
    from .errors import IURSurveyError
    from .instrument import load_instrument
    from .study import default_model
    try:
        inst = load_instrument(instrument)
    except (IURSurveyError, OSError, ValueError):
        return None
    try:
        default_model(inst)
    except IURSurveyError as exc:
        return f"the study's model cannot be built from this instrument: {exc.message}"
    return None


def _stop_on_model_failure(progress=None):
    """A ``progress`` callback that passes each step on to ``progress`` and stops the pipeline, raising
    :class:`_ModelFailed`, as soon as a step of :data:`MODEL_STEPS` fails (a model that did not converge): the
    chapters would be notices around an empty book, and the export's one-line reason is the answer.

    >>> from iur_survey.pipeline import Step
    >>> cb = _stop_on_model_failure()
    >>> cb("cfa", Step("ok"))
    >>> cb("sem", Step("failed", reason="the model did not converge"))
    Traceback (most recent call last):
    ...
    iur_survey.book._ModelFailed: the structural model (sem) could not be estimated on this export: the model did not converge; no book was built
    """
    def callback(name, step) -> None:
        if progress is not None:
            progress(name, step)
        failure = _model_step_failure(name, step)
        if failure:
            raise _ModelFailed(failure)
    return callback


def _model_step_failure(name: str, step) -> str | None:
    """The one-line reason the book stops when ``step`` of :data:`MODEL_STEPS` failed, else ``None``.

    >>> from iur_survey.pipeline import Step
    >>> _model_step_failure("invariance", Step("failed", reason="x")) is None
    True

    A failed invariance step stops the book too when the groups were merged as asked (``book --merge-groups``):
    the merge given is wrong, and the book would not compare the groups it names.
    """
    if step is None or step.status != "failed":
        return None
    if name == "invariance":        # the groups merged as asked (book --merge-groups) could not be compared
        from .pipeline import merge_option
        asked = merge_option()
        return None if asked is None else (f"--merge-groups {asked}: the groups could not be compared: "
                                           f"{step.reason}; no book was built")
    if name not in MODEL_STEPS:
        return None
    what = {"cfa": "the measurement model (cfa)", "sem": "the structural model (sem)"}[name]
    return f"{what} could not be estimated on this export: {step.reason}; no book was built"


def build_book(settings: BookSettings | None = None, out: Path | str = DEFAULT_OUT, fmt: str = "html",
               source: Path | str = REPO_ROOT, clean: bool = True, prepare: bool = True,
               echo=None, verbose: bool = True) -> BuildResult:
    """Run the pipeline once into the work dir, then build the book into ``out/<fmt>``.

    ``clean`` removes the previous build first (every notebook is executed either way).
    ``echo`` (e.g. ``print``) receives progress as it runs: with ``verbose`` the whole Sphinx log, else one
    line per pipeline step and per executed chapter, with timings.  ``fmt="pdf"`` builds ``singlehtml`` and
    prints it with headless Chromium to ``out/pdf/book.pdf`` (:func:`print_pdf`).

    An export that cannot be read, or whose cleaning keeps no response or too few for the models (the pipeline's
    read or clean step failed), raises :class:`~iur_survey.errors.BookInputError` with that step's one-line
    reason before any notebook runs; the previous build is left as it was.  So does an instrument the study's
    model cannot be built from (:func:`instrument_model_failure`, before any step) and a failed step of
    :data:`MODEL_STEPS` (the measurement or structural model did not converge).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        t0 = time.perf_counter()
        res = build_book(settings, out, "singlehtml", source, clean, prepare, echo, verbose)
        if not res.ok:
            return res
        if echo is not None:
            echo("  printing the single-page book to PDF (headless Chromium) ...")
        pdf = print_pdf(res.output / "index.html", Path(out).resolve() / "pdf" / "book.pdf")
        if echo is not None:
            echo(f"  PDF: {pdf_pages(pdf)} pages, {pdf.stat().st_size / 1e6:.1f} MB")
        return BuildResult(0, pdf.parent, time.perf_counter() - t0, res.log)
    out = Path(out).resolve()
    settings = settings or BookSettings(DEFAULT_DATA, DEFAULT_INSTRUMENT, out / ".iur-survey")
    t0 = time.perf_counter()
    if clean and (out / settings.workdir.name) == settings.workdir and settings.workdir.is_dir():
        shutil.rmtree(settings.workdir)
    if prepare:   # the Sphinx extension would do it too; here a broken pipeline fails before Sphinx starts
        from .pipeline import input_failure, prepare_results
        model_failure = instrument_model_failure(settings.instrument)
        if model_failure:     # an instrument the study's model cannot be built from: before any step runs
            raise BookInputError(settings.instrument, model_failure)
        if echo is not None:
            echo("pipeline (computed once, cached for the chapters):")
        try:
            results = prepare_results(settings, progress=_stop_on_model_failure(
                None if echo is None else _step_progress(echo)))
        except _ModelFailed as stop:     # the book's models did not fit: no book, the old one stays
            raise BookInputError(settings.data, str(stop)) from None
        failure = input_failure(results)
        if failure:       # an export that cannot be read or cleaning that kept too few: no book, the old one stays
            raise BookInputError(None, failure)
        for name in (*MODEL_STEPS, "invariance"):     # a cached pipeline whose models (or the merge asked)
            # failed: the same answer as a fresh one
            failure = _model_step_failure(name, results.steps.get(name))
            if failure:
                raise BookInputError(settings.data, failure)
        for line in failed_steps(results):      # said at the end of the command too, not only mid-log
            warnings.warn(line, UserWarning, stacklevel=2)
    if clean:
        for sub in (fmt, ".doctrees", "jupyter_execute"):
            if (out / sub).is_dir() and out / sub != settings.workdir:
                shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    if prepare and echo is not None:
        echo(f"notebooks ({fmt}):")
    env = kernel_environment(settings)
    line_out = None if echo is None else _chapter_echo(echo, verbose)
    proc = subprocess.Popen(build_command(Path(source), out, fmt), env=env, cwd=str(source),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if line_out is not None and (verbose or not _NOISE.search(line)):
            line_out(line.rstrip("\n"))
    rc = proc.wait()
    return BuildResult(rc, out / fmt, time.perf_counter() - t0, "".join(lines))


# ------------------------------------------------------------------------------- PDF
#: print style of the PDF: a page break before each chapter, tables and figures unbroken, no navigation
PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
@media print {
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-content, .bd-header-article,
  .prev-next-area, .header-article-items, .bd-search, .skip-link, .headerlink, #pst-back-to-top,
  .bd-footer-article, .sidebar-toggle, .primary-toggle, .secondary-toggle { display: none !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container, .bd-container__inner,
  .bd-article { max-width: 100% !important; width: 100% !important; margin: 0 !important; padding: 0 !important;
                display: block !important; }
  body { font-size: 10.5pt; font-family: "Noto Serif", "Noto Serif CJK SC", "DejaVu Serif", serif; }
  span[id^="document-"] + section, span[id^="document-"] + div > section { break-before: page; }
  table, figure, .apa-table, .cell_output img, img, svg { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  div.cell_output { overflow: visible !important; }
  details.hide, details.above-input, .cell_input, .toggle-details, button.toggle-button { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
"""
#: headless Chromium flags: no network services, a fresh profile per run
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw", "--virtual-time-budget=30000")


def chromium_executable() -> str:
    """The headless browser (Debian ``chromium``); a clear error when it is missing."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        from .errors import IURSurveyError
        raise IURSurveyError(None, "the PDF is printed by headless Chromium, which is not installed "
                                   "(Debian: apt-get install chromium fonts-noto-cjk)")
    return exe


def print_pdf(index_html: Path, pdf: Path, timeout: int = 600) -> Path:
    """Print a single-page HTML book to ``pdf`` with headless Chromium and :data:`PRINT_CSS` (a page break per
    chapter, tables and figures unbroken).  The HTML is not modified: a ``print.html`` copy carries the
    style."""
    import tempfile

    from .errors import IURSurveyError
    index_html = Path(index_html)
    html = index_html.read_text(encoding="utf-8")
    root = index_html.parent
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', html, re.I)
    if redirect:                  # jupyter-book's root index.html only redirects to the root document
        html = (root / redirect.group(1)).read_text(encoding="utf-8")
    # printed from the output root, where the page's "_static/..." and "_images/..." links resolve
    printable = root / "print.html"
    printable.write_text(html.replace("</head>", f"<style>{PRINT_CSS}</style></head>", 1), encoding="utf-8")
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_suffix(".tmp.pdf")
    with tempfile.TemporaryDirectory(prefix="iur-chromium-") as profile:
        proc = subprocess.run([chromium_executable(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               f"--print-to-pdf={tmp}", printable.as_uri()],
                              capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size < 1000:
        raise IURSurveyError(pdf, f"headless Chromium did not print the PDF: {proc.stderr.strip()[-500:]}")
    os.replace(tmp, pdf)
    return pdf


def pdf_pages(pdf: Path) -> int:
    """The number of pages of a PDF (its page objects).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.pdf"
    >>> _ = p.write_bytes(b"%PDF-1.4 1 0 obj << /Type /Pages /Count 2 >> 2 0 obj << /Type /Page >> "
    ...                   b"3 0 obj << /Type /Page >>")
    >>> pdf_pages(p)
    2
    """
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
