"""The suite runs from the checkout's root whatever directory pytest is started in (tests/conftest.py).

Tests name their data by the path from the root ("tests/reference/data/..."), also as command-line arguments;
``cd /tmp && pytest /path/to/checkout/tests`` used to fail to import five modules.
"""

from pathlib import Path


def test_relative_data_paths_resolve_from_any_starting_directory():
    root = Path(__file__).resolve().parent.parent
    assert Path.cwd().resolve() == root
    assert Path("tests/reference/data/hs1939.csv").is_file() and Path("pyproject.toml").is_file()
