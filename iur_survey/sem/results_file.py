"""Reading a results.json of ``iur-survey fit`` back: the one loader of every command that reads one (``tables``,
``diagram``, ``power --from-results``, ``pls --compare``, ``export-replication``).

:func:`load_results_file` checks the file ONCE, when it is read: a JSON object with ``converged`` (true or
false), and for a converged fit ``n`` (the cases used), ``fit`` (numbers or null), ``estimates`` (rows with lavaan's
parameterEstimates columns, numbers or null) and, when present, ``sampstat`` (one ``{names, cov}`` per group).
A hand-edited or truncated file is a typed one-line error naming the file and the key, never a KeyError deep
in a table, a "high" printed as a CFI or a fit taken as converged because ``converged`` is missing.
:func:`require_fitted_data` refuses a data file that is not the one the fit recorded (``call.data.sha256``).

>>> import json, os, tempfile
>>> d = tempfile.mkdtemp()
>>> p = os.path.join(d, "r.json")
>>> row = {"lhs": "F", "op": "=~", "rhs": "x1", "est": 1.0, "se": 0.0, "pvalue": None, "std.all": 0.7}
>>> _ = open(p, "w").write(json.dumps({"converged": True, "n": 300, "fit": {"cfi": 0.95}, "estimates": [row]}))
>>> load_results_file(p)["fit"]
{'cfi': 0.95}
>>> _ = open(p, "w").write(json.dumps({"converged": True, "n": 300, "fit": {"cfi": "high"}, "estimates": [row]}))
>>> load_results_file(p)
Traceback (most recent call last):
...
iur_survey.errors.IURSurveyError: ...r.json: fit.cfi is 'high', not a number (a hand-edited results.json?)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from ..errors import IURSurveyError

__all__ = ["load_results_file", "validate_results", "require_fitted_data", "group_tests", "stat_group_of", "version_note",
           "ESTIMATE_KEYS"]

#: the keys every ``estimates`` row of a converged fit has (lavaan's parameterEstimates(standardized = TRUE)
#: columns that the tables and the diagram read)
ESTIMATE_KEYS = ("lhs", "op", "rhs", "est", "se", "pvalue", "std.all")
#: of :data:`ESTIMATE_KEYS`, the numeric ones (a number or null)
_NUMERIC = ("est", "se", "pvalue", "std.all", "z", "ci.lower", "ci.upper", "std.lv")
#: lavaan's operators that a results.json's estimates rows may hold
LAVAAN_OPS = frozenset({"=~", "~", "~~", "~1", "|", "~*~", ":=", "==", "<", ">", "<~"})
#: fit measures bounded to [0, 1] (a "cfi" of 1.7 is a typing slip), and square roots that cannot be negative
#: (df can be: an unidentified model; chisq only by rounding)
_UNIT_FIT = ("cfi", "pvalue", "rmsea.pvalue")
_NONNEG_FIT = ("rmsea", "srmr")
#: a results.json that says what it is not: a hint at the end of every refusal
_HINT = " (a hand-edited results.json?)"


def _number(v: Any) -> bool:
    """A JSON number (not a bool) or null."""
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def validate_results(doc: Any, path: str | Path | None = None, *, pls: bool = False) -> dict:
    """``doc`` (a parsed results.json) if it holds what the commands read, else a typed one-line error naming
    ``path`` and the key.  ``pls=True`` lets a pls.json of ``iur-survey pls`` through (``tables`` reads its
    HTMT).  A fit that did not converge is checked for ``converged`` only: the commands refuse it
    (:func:`~iur_survey.sem.results.require_converged`, exit status 3).

    >>> validate_results({"converged": True, "fit": {}, "estimates": [{"lhs": "F", "op": "=~", "rhs": "x"}]},
    ...                  "r.json")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: r.json: estimates row 1 (F =~ x) has no 'est' (a hand-edited results.json?)
    >>> row = {"lhs": "F", "op": "=~", "rhs": "x", "est": 1.0, "se": 0.0, "pvalue": None, "std.all": 0.7}
    >>> validate_results({"converged": True, "n": 9, "fit": {}, "estimates": [row, dict(row)]}, "r.json")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: r.json: estimates row 2 (F =~ x) repeats row 1 (a hand-edited results.json?)
    >>> validate_results({"converged": True, "n": 9, "fit": {"cfi": 1.7}, "estimates": [row]}, "r.json")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: r.json: fit.cfi is 1.7, not in [0, 1] (a hand-edited results.json?)
    >>> validate_results({"estimates": []}, "r.json")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: r.json: no 'converged' (true or false): not taken as converged (a hand-edited results.json?)
    """
    def bad(text: str) -> IURSurveyError:
        return IURSurveyError(path, text + _HINT)

    if not isinstance(doc, dict):
        raise IURSurveyError(path, "not a results file (expected a JSON object)")
    if pls and "htmt" in doc and "estimates" not in doc:          # a pls.json (for the HTMT of `tables`)
        return doc
    if "converged" not in doc:
        raise bad("no 'converged' (true or false): not taken as converged")
    if not isinstance(doc["converged"], bool):
        raise bad(f"converged is {doc['converged']!r}, not true or false")
    if doc["converged"] is False or doc.get("estimates_interpretable") is False:
        return doc                                                # refused by require_converged (exit 3)
    est = doc.get("estimates")
    if "estimates" not in doc:
        raise bad("no 'estimates'")
    if not isinstance(est, list) or not est:
        raise bad("'estimates' is not a non-empty list of rows")
    seen: dict[tuple, int] = {}
    for k, row in enumerate(est, 1):
        if not isinstance(row, dict):
            raise bad(f"estimates row {k} is not an object")
        what = f"estimates row {k} ({row.get('lhs', '?')} {row.get('op', '?')} {row.get('rhs', '?')})"
        for key in ESTIMATE_KEYS:
            if key not in row:
                raise bad(f"{what} has no {key!r}")
        for key in _NUMERIC:
            if key in row and not _number(row[key]):
                raise bad(f"{what}: {key} is {row[key]!r}, not a number")
        if row["op"] not in LAVAAN_OPS:
            raise bad(f"{what}: {row['op']!r} is not a lavaan operator")
        p, se = row["pvalue"], row["se"]
        if p is not None and not 0 <= p <= 1 or se is not None and se < 0:
            raise bad(f"{what}: " + (f"pvalue {p!r} is not in [0, 1]" if p is not None and not 0 <= p <= 1
                                     else f"se {se!r} is negative"))
        key = (row["lhs"], row["op"], row["rhs"], row.get("group"), row.get("block"), row.get("level"))
        if key in seen:
            raise bad(f"{what} repeats row {seen[key]}")
        seen[key] = k
    n = doc.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise bad("no 'n' (the number of cases used)" if "n" not in doc else f"n is {n!r}, not a number of cases")
    if "fit" not in doc:
        raise bad("no 'fit': a converged fit has its fit measures")
    fit = doc["fit"]
    if not isinstance(fit, dict):
        raise bad("'fit' is not an object of fit measures")
    for key, v in fit.items():
        if not _number(v):
            raise bad(f"fit.{key} is {v!r}, not a number")
        base = key.split(".")[0] if key.split(".")[-1] in ("scaled", "robust") or key.startswith("rmsea.ci") else key
        if v is not None and (base in _UNIT_FIT and not 0 <= v <= 1 or base in _NONNEG_FIT and v < 0
                              or key.startswith("rmsea.ci") and v < 0):
            raise bad(f"fit.{key} is {v!r}, " + ("not in [0, 1]" if base in _UNIT_FIT else "negative"))
    warns = doc.get("warnings")
    if warns is not None and (not isinstance(warns, list) or not all(isinstance(w, str) for w in warns)):
        raise bad("'warnings' is not a list of texts")
    r2 = doc.get("r2")
    if r2 is not None and (not isinstance(r2, dict) or not all(
            _number(v) or isinstance(v, dict) and all(_number(x) for x in v.values()) for v in r2.values())):
        raise bad("'r2' is not an object of numbers (one per group)")
    _check_tests(doc.get("test"), doc.get("groups"), bad)
    _check_invariance_parts(doc, bad)
    ss = doc.get("sampstat")
    if ss is not None:
        if not isinstance(ss, dict):
            raise bad("'sampstat' is not an object (one {names, cov} per group)")
        for g, v in ss.items():
            names = v.get("names") if isinstance(v, dict) else None
            cov = v.get("cov") if isinstance(v, dict) else None
            if (not isinstance(names, list) or not isinstance(cov, list) or len(cov) != len(names)
                    or any(not isinstance(r, list) or len(r) != len(names) or not all(_number(x) for x in r)
                           for r in cov)):
                raise bad(f"sampstat[{g!r}] is not {{names, cov}} of one group (a list of names and a square "
                          f"matrix of numbers)")
    return doc


#: the numeric fields of a test of results.json's ``test`` (lavaan's ``lavInspect(fit, "test")`` names)
_TEST_NUMERIC = ("stat", "df", "pvalue", "scaling.factor", "shift.parameter")


def _check_tests(tests: Any, groups: Any, bad, where: str = "test") -> None:
    """results.json's ``test`` (absent in a file of an older version: nothing to check): an object of tests, each
    an object whose numbers are numbers or null and whose ``stat.group`` is a number (one group) or one number per
    group of ``groups`` (several).  ``where``: the key named in the error."""
    if tests is None:
        return
    if not isinstance(tests, dict) or not all(isinstance(t, dict) for t in tests.values()):
        raise bad(f"'{where}' is not an object of tests (lavaan's lavInspect(fit, \"test\"))")
    for name, t in tests.items():
        for key in _TEST_NUMERIC:
            if key in t and not _number(t[key]):
                raise bad(f"{where}.{name}.{key} is {t[key]!r}, not a number")
        if "stat.group" not in t:
            continue
        sg = t["stat.group"]
        if isinstance(groups, dict) and len(groups) > 1:
            if not isinstance(sg, dict) or set(sg) != set(groups) or not all(_number(v) for v in sg.values()):
                raise bad(f"{where}.{name}.stat.group is not one number per group ({', '.join(map(str, groups))})")
        elif not _number(sg):
            raise bad(f"{where}.{name}.stat.group is {sg!r}, not a number (a one-group fit)")


def _check_invariance_parts(doc: Mapping[str, Any], bad) -> None:
    """Each invariance step's ``stat.group`` (``{test name: {group: statistic}}``, absent in a file of an older
    version) as :func:`_check_tests` checks a fit's: one number (or null) per group of ``invariance_info.groups``.

    >>> def bad(t): return ValueError(t)
    >>> _check_invariance_parts({"invariance": [{"step": "metric", "stat.group": {"standard": {"a": 1.0, "b": 2.0}}}],
    ...                          "invariance_info": {"groups": {"a": 100, "b": 90}}}, bad)
    >>> _check_invariance_parts({"invariance": [{"step": "metric", "stat.group": {"standard": {"a": "x", "b": 2.0}}}],
    ...                          "invariance_info": {"groups": {"a": 100, "b": 90}}}, bad)
    Traceback (most recent call last):
    ValueError: invariance[metric].standard.stat.group is not one number per group (a, b)
    """
    steps = doc.get("invariance")
    groups = (doc.get("invariance_info") or {}).get("groups") if isinstance(doc.get("invariance_info"), dict) else None
    for s in steps if isinstance(steps, list) else []:
        sg = s.get("stat.group") if isinstance(s, dict) else None
        if sg is None:
            continue
        where = f"invariance[{s.get('step')}]"
        if not isinstance(sg, dict):
            raise bad(f"{where}.stat.group is {sg!r}, not an object of tests")
        _check_tests({k: {"stat.group": v} for k, v in sg.items()}, groups, bad, where)


def group_tests(doc: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    """Each group's part of each test of a multi-group results.json (lavaan's ``stat.group``): ``{test name:
    {group label: statistic}}``, the standard test first (``"standard"``, then ``"yuan.bentler.mplus"`` (MLR)
    or ``"scaled.shifted"`` (WLSMV)); {} for a one-group fit or a results.json without them (an older version's,
    a hand-made one).

    >>> doc = {"groups": {"a": 150, "b": 150}, "test": {"standard": {"stat": 9.0, "stat.group": {"a": 4.0, "b": 5.0}}}}
    >>> group_tests(doc), group_tests({"groups": {"a": 150, "b": 150}})
    ({'standard': {'a': 4.0, 'b': 5.0}}, {})
    """
    out = {}
    for name, t in (doc.get("test") or {}).items():
        sg = t.get("stat.group") if isinstance(t, Mapping) else None
        if isinstance(sg, Mapping) and len(sg) > 1:
            out[str(name)] = {str(g): v for g, v in sg.items()}
    return out


def stat_group_of(parts: Mapping[str, Mapping[str, Any]] | None, scaled: bool) -> Mapping[str, Any] | None:
    """Of ``parts`` (:func:`group_tests`: ``{test name: {group label: statistic}}``) the groups' parts of the
    standard test, or with ``scaled`` of the scaled one (``"yuan.bentler.mplus"``, ``"scaled.shifted"``, the
    one test besides ``"standard"``); None when there are none.

    >>> p = {"standard": {"a": 4.0, "b": 5.0}, "yuan.bentler.mplus": {"a": 3.5, "b": 4.5}}
    >>> stat_group_of(p, False), stat_group_of(p, True), stat_group_of({}, True)
    ({'a': 4.0, 'b': 5.0}, {'a': 3.5, 'b': 4.5}, None)
    """
    if not parts:
        return None
    if not scaled:
        return parts.get("standard")
    return next((v for k, v in parts.items() if k != "standard"), None)


def version_note(doc: Mapping[str, Any], version: str | None = None) -> str | None:
    """One line when the results.json (or pls.json) ``doc`` was written by another version of iur-survey than
    this one (``version``, by default the running one) — its ``call.version``, as ``iur-survey fit`` and
    ``iur-survey pls`` record it — naming both; None when they are the same or the file records none (written by
    :meth:`SEMResult.to_json`, by hand, or a pls.json of a version before it recorded one).  The file is read all
    the same: ``tables``, ``diagram``, ``export-replication``, ``pls --compare`` and ``power --from-results`` say it
    on stderr.

    >>> version_note({"_path": "r.json", "call": {"version": "0.0.9"}}, "0.1.0")
    'r.json: written by iur-survey 0.0.9, read by iur-survey 0.1.0: read as it is (refit with 0.1.0 if a number looks wrong)'
    >>> version_note({"call": {"version": "0.1.0"}}, "0.1.0"), version_note({}, "0.1.0")
    (None, None)
    """
    if version is None:
        from .. import __version__ as version
    call = doc.get("call")
    theirs = call.get("version") if isinstance(call, Mapping) else None
    if theirs is None or str(theirs) == str(version):
        return None
    where = f"{doc['_path']}: " if doc.get("_path") else ""
    return (f"{where}written by iur-survey {theirs}, read by iur-survey {version}: read as it is (refit with "
            f"{version} if a number looks wrong)")


def load_results_file(path: str | Path, *, pls: bool = False) -> dict:
    """Read and check (:func:`validate_results`) the results.json at ``path``; ``_path`` records where it was
    read from.  Every failure is a typed one-line error naming the file.

    >>> load_results_file("/no/such/results.json")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: /no/such/results.json: no such results file
    """
    from ..inputs import input_file

    path = input_file(path, "results")              # no such file, a folder, a pipe, too large: one line each
    try:
        text = path.read_text(encoding="utf-8-sig")    # (Windows Notepad saves UTF-8 with a BOM)
    except UnicodeDecodeError:
        raise IURSurveyError(path, "not a results JSON: not UTF-8 text") from None
    except OSError as exc:
        raise IURSurveyError(path, f"cannot read the results file: {exc.strerror}") from None
    if not text.strip():
        raise IURSurveyError(path, "the results file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IURSurveyError(path, f"not a JSON file: {exc}") from None
    validate_results(doc, path, pls=pls)
    doc.setdefault("_path", str(path))
    return doc


def require_fitted_data(results: Mapping[str, Any], data: str | Path) -> None:
    """Refuse ``data`` when results.json records the sha256 of the fitted data (``call.data.sha256``) and
    ``data``'s differs: it changed since the fit, or it is another file (alpha beside the fit's loadings, a
    PLS beside a CB-SEM of other data).  The check of ``tables`` (recorded or ``--data``) and ``pls --compare``.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(p, "w").write("x\\n1\\n")
    >>> require_fitted_data({"call": {"data": {"sha256": "0" * 64}}}, p)
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: ...d.csv: the data file changed since the fit or is another file (sha256 differs from results.json's call)
    >>> require_fitted_data({"call": {}}, p)          # nothing recorded: nothing to check
    """
    from ..read.base import sha256_file

    rec = ((results.get("call") or {}).get("data") or {}) if isinstance(results.get("call"), dict) else {}
    sha = rec.get("sha256") if isinstance(rec, dict) else None
    if sha and sha256_file(data) != sha:
        raise IURSurveyError(data, "the data file changed since the fit or is another file (sha256 differs from "
                                   "results.json's call)")
