"""Where the files shipped with iur-survey are: the instrument, the demo export, the book sources.

The one place that locates them; every caller asks here.  Two layouts, found through
:mod:`importlib.resources`:

* **installed from a wheel**: the wheel build copies ``data/instrument.yaml``, ``data/demo/``,
  ``book/``, ``_config.yml`` and ``_toc.yml`` into the package as ``iur_survey/_bundle/``
  (see ``setup.py``); that folder is the root.
* **a checkout** (``PYTHONPATH``, an editable install): the folder above the package, where those
  files live at the top level of the repository.

The bundle wins when present; otherwise the checkout; neither is an
:class:`~iur_survey.errors.IURSurveyError` naming what is missing.

>>> (root() / "_config.yml").is_file() and instrument_path().name == "instrument.yaml"
True
>>> demo_export().relative_to(root()).as_posix()
'data/demo/export.csv'
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import IURSurveyError

#: the folder inside the installed package that holds the shipped files
BUNDLE = "_bundle"
#: what must be present for a folder to be a root (relative paths)
REQUIRED = ("data/instrument.yaml", "_config.yml", "_toc.yml", "book")


def package_dir() -> Path:
    """The installed ``iur_survey`` package folder.

    >>> package_dir().name
    'iur_survey'
    """
    return Path(str(resources.files("iur_survey")))


def _complete(folder: Path) -> bool:
    return all((folder / rel).exists() for rel in REQUIRED)


def bundle_dir() -> Path | None:
    """``iur_survey/_bundle`` when the package was installed from a wheel, else ``None``."""
    d = package_dir() / BUNDLE
    return d if _complete(d) else None


def checkout_root() -> Path | None:
    """The repository root when the package runs from a checkout, else ``None``."""
    d = package_dir().parent
    return d if _complete(d) else None


def root() -> Path:
    """The folder holding ``data/``, ``book/``, ``_config.yml`` and ``_toc.yml``."""
    found = bundle_dir() or checkout_root()
    if found is None:
        raise IURSurveyError(package_dir(), "the instrument, demo data and book sources are not installed with the "
                             "package (reinstall iur-survey from its wheel or run from a checkout)")
    return found


def instrument_path() -> Path:
    """The study's instrument (codebook) YAML."""
    return root() / "data" / "instrument.yaml"


def demo_export() -> Path:
    """The bundled demo export (a simulated Qualtrics CSV)."""
    return root() / "data" / "demo" / "export.csv"


def book_source() -> Path:
    """The book's source folder: ``_config.yml``, ``_toc.yml`` and ``book/``."""
    return root()


def default_build_dir() -> Path:
    """Where ``iur-survey book`` writes without ``--out``: ``_build`` in the checkout, else in the
    current folder (an installed package never writes into its own folder)."""
    checkout = None if bundle_dir() else checkout_root()
    return (checkout or Path.cwd()) / "_build"


def cache_dir() -> Path:
    """A writable cache (npm's MathJax): ``$IUR_SURVEY_CACHE`` if set, else ``.cache`` in the checkout, else
    ``$XDG_CACHE_HOME/iur-survey`` (``~/.cache/iur-survey``)."""
    if os.environ.get("IUR_SURVEY_CACHE"):
        return Path(os.environ["IUR_SURVEY_CACHE"])
    checkout = None if bundle_dir() else checkout_root()
    if checkout is not None:
        return checkout / ".cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iur-survey"
