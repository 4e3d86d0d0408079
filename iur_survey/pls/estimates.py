"""Every estimate a PLS fit reports, as arrays with a leading batch axis (one fit or B bootstrap fits).

:func:`collect` turns a :class:`~iur_survey.pls.engine.PLSFit` into ``{kind: array (b x k)}`` and
:func:`keys` names the k columns of each kind, so the point estimates and the bootstrap draws go through the
same code.  Kinds: ``paths`` (model path order), ``weights`` and ``loadings`` (item order), ``r2``
(endogenous order), ``total`` and ``indirect`` (every ordered pair joined by a directed path; ``indirect`` =
total minus direct), ``specific`` (every chain X -> M ... -> Y, the product of its paths), ``defined``
(``:=`` statements evaluated with the path labels) and ``htmt`` (construct pairs).

>>> import numpy as np
>>> from iur_survey.pls.model import pls_model
>>> from iur_survey.pls.engine import fit_batch
>>> m = pls_model("X =~ x\\nM =~ m\\nY =~ y\\nM ~ a*X\\nY ~ b*M + c*X\\nind := a*b")
>>> R = np.array([[1, .5, .3], [.5, 1, .4], [.3, .4, 1.]])
>>> est = collect(R[None], fit_batch(R[None], m), m)
>>> keys(m)["specific"], est["specific"].round(4).tolist(), est["defined"].round(4).tolist()
([('X', 'M', 'Y')], [[0.1667]], [[0.1667]])
>>> keys(m)["total"], est["total"].round(4).tolist()
([('X', 'M'), ('X', 'Y'), ('M', 'Y')], [[0.5, 0.3, 0.3333]])
"""

from __future__ import annotations

import numpy as np

from ..sem.defined import evaluate
from .engine import PLSFit, total_effects
from .model import PLSModel
from .quality import htmt_pairs, htmt_values

__all__ = ["collect", "keys", "effect_pairs"]


def effect_pairs(model: PLSModel) -> list[tuple[str, str]]:
    """Ordered pairs (source, target) joined by at least one directed path, source in model order."""
    P = model.path_matrix[None]
    T = total_effects(P)[0]
    c = model.constructs
    return [(c[i], c[j]) for i in range(len(c)) for j in range(len(c)) if abs(T[i, j]) > 0]


def keys(model: PLSModel) -> dict[str, list]:
    """The column keys of every kind of estimate (see the module docstring)."""
    pairs = effect_pairs(model)
    mediated = {(ch[0], ch[-1]) for ch in model.mediated_paths}
    return {
        "paths": list(model.paths),
        "weights": list(model.items),
        "loadings": list(model.items),
        "r2": list(model.endogenous),
        "total": pairs,
        "indirect": [p for p in pairs if p in mediated],
        "specific": list(model.mediated_paths),
        "defined": [name for name, _ in model.defined],
        "htmt": htmt_pairs(model),
    }


def collect(R: np.ndarray, fit: PLSFit, model: PLSModel) -> dict[str, np.ndarray]:
    """All estimates of a batch of fits as ``{kind: (b x k) array}`` (see :func:`keys` for the columns)."""
    pos = {c: k for k, c in enumerate(model.constructs)}
    k = keys(model)
    B = fit.paths
    T = total_effects(B)
    nb = B.shape[0]

    def pair_values(M, pairs):
        if not pairs:
            return np.zeros((nb, 0))
        return np.stack([M[:, pos[s], pos[t]] for s, t in pairs], axis=1)

    specific = []
    for chain in k["specific"]:
        v = np.ones(nb)
        for s, t in zip(chain[:-1], chain[1:]):
            v = v * B[:, pos[s], pos[t]]
        specific.append(v)
    env = {}
    for (s, t), lab in model.labels.items():
        env.setdefault(lab, B[:, pos[s], pos[t]])
    defined = []
    for name, node in model.defined:
        val = np.broadcast_to(np.asarray(evaluate(node, env), dtype=float), (nb,))
        env[name] = val
        defined.append(val)
    total = pair_values(T, k["total"])
    direct_of_indirect = pair_values(B, k["indirect"])
    return {
        "paths": pair_values(B, k["paths"]),
        "weights": fit.weights,
        "loadings": fit.loadings,
        "r2": np.stack([fit.r2[:, pos[c]] for c in k["r2"]], axis=1),
        "total": total,
        "indirect": pair_values(T, k["indirect"]) - direct_of_indirect,
        "specific": np.stack(specific, axis=1) if specific else np.zeros((nb, 0)),
        "defined": np.stack(defined, axis=1) if defined else np.zeros((nb, 0)),
        "htmt": htmt_values(R, model),
    }
