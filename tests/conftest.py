"""Collection rules for the whole test suite.

Generator scripts (``make_*.py``: they write the stored reference data and are run by hand, see each
script's docstring) are never imported by ``pytest --doctest-modules``: an import must not rewrite a
tracked file.  Each also guards its work with ``if __name__ == "__main__":``.
"""

collect_ignore_glob = ["make_*.py", "*/make_*.py", "*/*/make_*.py"]
