"""Packaging hook: ship the instrument, the demo export and the book sources inside the wheel.

They stay at the top level of the repository (``data/``, ``book/``, ``_config.yml``, ``_toc.yml``);
the wheel build copies them into the package as ``iur_survey/_bundle/``, where
``iur_survey.resources`` finds them through ``importlib.resources``.  An editable install and a
checkout read them in place.  Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: (source relative to the repository root, glob patterns of the files to ship)
SHIPPED = (
    ("data", ("instrument.yaml", "README.md", "demo/*.csv", "demo/*.json")),
    ("book", ("*.md", "_static/*")),
    (".", ("_config.yml", "_toc.yml")),
)


class build_py_with_bundle(build_py):
    """build_py that also copies the shipped files into ``<build_lib>/iur_survey/_bundle``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):      # an editable install reads the checkout in place
            return
        bundle = Path(self.build_lib) / "iur_survey" / "_bundle"
        for folder, patterns in SHIPPED:
            for pattern in patterns:
                for src in sorted((ROOT / folder).glob(pattern)):
                    if src.is_file():
                        dest = bundle / src.relative_to(ROOT)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(src, dest)


setup(cmdclass={"build_py": build_py_with_bundle})
