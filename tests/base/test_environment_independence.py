"""The package's files do not depend on the process's locale or time zone.

Python itself formats numbers and dates without the locale, but a program (a notebook, a script that calls
``locale.setlocale(locale.LC_ALL, "")``, matplotlib with ``axes.formatter.use_locale``) may set it before it calls
the package.  ``strftime``'s names (``%b``, ``%p``, ``%Z``...) then follow it: under zh_CN the .sav header's
month was ``4月``, which failed to encode (``simulate --format spss`` raised UnicodeEncodeError).  The locale
tests set a locale of the machine's and are skipped where none but C is installed; the time-zone test needs no
time-zone database (POSIX ``TZ`` strings)."""

from __future__ import annotations

import ast
import contextlib
import io
import locale
import time
from pathlib import Path

import pytest

import iur_survey
from iur_survey.cli import main

PACKAGE = Path(iur_survey.__file__).resolve().parent
#: locales whose month names, AM/PM words or decimal point differ from C's
CANDIDATES = ("zh_CN.UTF-8", "zh_CN.utf8", "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ja_JP.UTF-8",
              "ru_RU.UTF-8")
#: strftime directives whose text is the locale's (or the zone's name)
LOCALE_DIRECTIVES = ("%a", "%A", "%b", "%B", "%c", "%h", "%p", "%r", "%x", "%X", "%Z", "%E", "%O")


def _available() -> list[str]:
    old = locale.setlocale(locale.LC_ALL)
    found = []
    try:
        for name in CANDIDATES:
            try:
                locale.setlocale(locale.LC_ALL, name)
            except locale.Error:
                continue
            found.append(name)
    finally:
        locale.setlocale(locale.LC_ALL, old)
    return found


@contextlib.contextmanager
def _locale(name: str):
    old = locale.setlocale(locale.LC_ALL)
    locale.setlocale(locale.LC_ALL, name)
    try:
        yield
    finally:
        locale.setlocale(locale.LC_ALL, old)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _simulate_and_clean(out: Path) -> dict[str, bytes]:
    with contextlib.redirect_stdout(io.StringIO()):
        for fmt in ("spss", "qualtrics"):
            assert main(["simulate", "--n", "60", "--seed", "3", "--format", fmt, "--out", str(out / fmt)]) == 0
        assert main(["clean", str(out / "qualtrics" / "export.csv"), "--out", str(out / "clean")]) == 0
    files = _files(out)
    # population.json records the command line, which names the output folder
    return {k: v for k, v in files.items() if not k.endswith("population.json")}


def test_files_are_the_same_bytes_in_any_locale(tmp_path):
    """A .sav, a Qualtrics CSV and the cleaned data, made with the process's locale set to each installed one,
    are the bytes made under C (no decimal comma, no localized month)."""
    names = _available()
    if not names:
        pytest.skip("no locale but C is installed (build one with localedef to run this test)")
    ref = _simulate_and_clean(tmp_path / "C")
    assert any(k.endswith("export.sav") for k in ref) and any(k.endswith("clean.csv") for k in ref)
    for name in names:
        with _locale(name):
            got = _simulate_and_clean(tmp_path / name)
        assert set(got) == set(ref), name
        differ = [k for k in ref if got[k] != ref[k]]
        assert not differ, f"under {name}: {differ}"


def test_no_locale_dependent_strftime_in_the_package():
    """Every ``strftime`` of the package writes digits only (its names would follow a locale a program set)."""
    found, files = [], sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strftime"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                fmt = node.args[0].value
                if any(d in fmt for d in LOCALE_DIRECTIVES):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {fmt!r}")
    assert not found, found


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX only")
@pytest.mark.parametrize("tz, text", [("CST-8", "1970-01-01 08:00:00+08:00"),      # China Standard Time
                                      ("CST+6", "1969-12-31 18:00:00-06:00"),      # US Central: also "CST"
                                      ("UTC0", "1970-01-01 00:00:00+00:00")])
def test_the_build_time_names_its_utc_offset(monkeypatch, tz, text):
    """The book's "built (...)" time carries its offset from UTC: the zone's abbreviation (``%Z``) was "CST" both
    in Beijing and in Chicago."""
    from iur_survey.pipeline import local_time_text

    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        assert local_time_text(0.0) == text
    finally:
        monkeypatch.undo()
        time.tzset()
