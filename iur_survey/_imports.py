"""Start-up: import the scientific stack without what a command never uses.

scipy 1.15's vendored ``array_api_compat`` runs ``from numpy import *`` when scipy is first
imported (by ``scipy.linalg``, ``scipy.special``, ...).  With numpy 2.x that star import imports
every numpy submodule named in ``numpy.__all__``: ``numpy.f2py``, ``numpy.testing`` (and through it
``unittest``), ``numpy.ma``, ``numpy.polynomial``, ... -- about a third of a second of start-up
for modules iur-survey never calls.  :func:`lean_scientific_imports` makes that star import skip
them and lets the compat namespace fetch any of them from numpy on first use (so nothing changes
for code that does use them).

>>> import sys
>>> lean_scientific_imports()
>>> compat = sys.modules["scipy._lib.array_api_compat.numpy"]
>>> compat.testing is __import__("numpy").testing      # still there, fetched on first use
True
"""

from __future__ import annotations

import sys

#: numpy submodules the star import would pull in and iur-survey's commands never use
_SKIPPED = ("f2py", "testing", "test", "ctypeslib", "ma", "polynomial", "rec", "char", "typing", "strings")
_COMPAT = "scipy._lib.array_api_compat.numpy"


def lean_scientific_imports() -> None:
    """Import scipy's array-API shim once without numpy's unused submodules (no-op if already imported)."""
    if _COMPAT in sys.modules:
        return
    import numpy

    names = getattr(numpy, "__all__", None)
    if not isinstance(names, list):
        return
    lean = [n for n in names if n not in _SKIPPED]
    numpy.__all__ = lean
    try:
        import scipy._lib._array_api  # noqa: F401  (runs the star import)
    except ImportError:          # pragma: no cover - a scipy without the shim
        return
    finally:
        numpy.__all__ = names
    compat = sys.modules.get(_COMPAT)
    if compat is not None and not hasattr(compat, "__getattr__"):
        def __getattr__(name: str):
            if name in _SKIPPED:
                return getattr(numpy, name)
            raise AttributeError(f"module {_COMPAT!r} has no attribute {name!r}")
        compat.__getattr__ = __getattr__
