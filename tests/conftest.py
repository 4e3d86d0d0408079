"""Collection rules for the whole test suite.

Generator scripts (``make_*.py``: they write the stored reference data and are run by hand, see each
script's docstring) are never imported by ``pytest --doctest-modules``: an import must not rewrite a
tracked file.  Each also guards its work with ``if __name__ == "__main__":``.
"""

collect_ignore_glob = ["make_*.py", "*/make_*.py", "*/*/make_*.py"]


import pytest  # noqa: E402


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
