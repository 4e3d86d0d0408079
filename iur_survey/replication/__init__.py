"""Replication packs: everything needed to refit one of our fits with R's lavaan and compare.

:func:`build_pack` (in :mod:`.pack`) writes data.csv, model.lav, ours.json,
results.json, replicate.R (:mod:`.rscript`), environment.lock
(:mod:`.environment`), README.md and MANIFEST.sha256 (:mod:`.manifest`).

>>> from iur_survey.replication import build_pack, verify_manifest
>>> callable(build_pack), callable(verify_manifest)
(True, True)
"""

from .manifest import sha256_file, verify_manifest, write_manifest
from .pack import ReplicationPack, build_pack, resolve_call, tolerances
from .rscript import replicate_script

__all__ = ["ReplicationPack", "build_pack", "replicate_script", "resolve_call", "sha256_file", "tolerances",
           "verify_manifest", "write_manifest"]
