"""Saved models: safetensors weights plus a JSON metadata file that ties them to their laws.

``save(path, module, spec=spec_of(laws, binding), seeds=..., training=...)`` writes
``<path>.safetensors`` and ``<path>.json``. The metadata holds the `ModelSpec`: for each law, the
same `archlaw.bridge.spec.LawSpec` that ``archlaw spec`` prints (the law parameters such as
``B``, each sort's encoding, and each model symbol's arguments and result: sort, tensor shape,
dtype, layout, decoding; the constants the law fixes), derived from the law's signature under
the binding's encodings (`archlaw.bridge.spec.binding_spec`). Then the seeds, the training
configuration, the library versions and the SHA-256 of the weights (as
`archlaw.bridge.certificate.weights_sha256` computes it).

``load(path, module, laws=...)`` refuses, with one line naming the difference, a file whose
spec does not match the laws as they are now (a law missing from the spec, a law parameter, a
symbol missing or extra, an argument's or result's shape or dtype:
`archlaw.bridge.spec.spec_difference`) or a `spec` the caller expects; then loads the weights
strictly. Every problem is an `ArchLawError` naming the file.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.spec import LawSpec

__all__ = ["ModelSpec", "SavedMeta", "spec_of", "save", "load", "FORMAT"]

#: Version of the metadata format (2: the spec is one `LawSpec` per law; 1 had bare signatures).
FORMAT = 2


@dataclass(frozen=True)
class ModelSpec:
    """What a set of weights claims to implement: one `LawSpec` per law (module docstring)."""

    specs: tuple[LawSpec, ...]

    @property
    def laws(self) -> tuple[str, ...]:
        return tuple(s.law for s in self.specs)

    @property
    def params(self) -> dict[str, int]:
        """The law parameters of all its laws (one binding gives each one value)."""
        return {k: v for s in self.specs for k, v in s.params.items()}

    @property
    def sorts(self) -> dict[str, str]:
        return {k: v for s in self.specs for k, v in s.sorts.items()}

    @property
    def signatures(self) -> dict[str, str]:
        """``LAW.SYMBOL`` -> the symbol's sort under the encodings, e.g. ``Float[3] → Float[4]``."""
        return {f"{s.law}.{x.name}": x.signature for s in self.specs for x in s.symbols}

    def to_json(self) -> dict:
        return {"laws": [s.to_json() for s in self.specs]}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> "ModelSpec":
        return ModelSpec(tuple(LawSpec.from_json(x) for x in d["laws"]))


@dataclass(frozen=True)
class SavedMeta:
    """The metadata file's contents."""

    spec: ModelSpec
    seeds: Mapping[str, Any] = field(default_factory=dict)
    training: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    weights_sha256: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def spec_of(laws: Sequence[Any], binding: Any) -> ModelSpec:
    """The spec of a model bound by `binding` to `laws` (`archlaw.bridge.ir.Law` values): for
    each law, `archlaw.bridge.spec.binding_spec`."""
    from archlaw.bridge.spec import binding_spec

    return ModelSpec(tuple(binding_spec(law, binding) for law in laws))


def _respec(law: Any, saved: LawSpec) -> tuple[LawSpec, bool]:
    """`law`'s spec now at the saved law parameters and sorts, and whether its shapes can be
    compared: a sort whose saved text names no known encoding (`encoding_of`) stands for itself,
    and then only each tensor's sort is compared."""
    from archlaw.bridge.sorts import Encoding
    from archlaw.bridge.spec import _spec, encoding_of

    class Named(Encoding):
        """An encoding known only by its saved description."""

        kind = "Named"

        def __init__(self, text: str):
            self.text = text

        def describe(self) -> str:
            return self.text

    encs = {k: encoding_of(v) for k, v in saved.sorts.items()}
    sorts = {k: (e if e is not None else Named(saved.sorts[k])) for k, e in encs.items()}
    # a saved symbol the law no longer has is left out here, and `spec_difference` names it
    only = {s.name for s in saved.symbols} & {p.name for p in law.params}
    now = _spec(law, saved.params, sorts, saved.statement, only)
    return now, all(e is not None for e in encs.values())


def _paths(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    stem = p.with_suffix("") if p.suffix in (".safetensors", ".json") else p
    return stem.with_suffix(".safetensors"), stem.with_suffix(".json")


def _versions() -> dict[str, str]:
    import torch

    try:
        from importlib.metadata import version

        arch = version("archlaw")
    except Exception:  # not installed (running from a checkout)
        arch = "unknown"
    return {"archlaw": arch, "torch": torch.__version__, "python": platform.python_version()}


def save(path: str | Path, module: Any, *, spec: ModelSpec, seeds: Mapping[str, Any] | None = None,
         training: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None
         ) -> tuple[Path, Path]:
    """Write the module's weights and the metadata; returns (weights path, metadata path).

    Both are written as a pair (`archlaw.bridge.atomic.write_all`: complete and synced under
    temporary names, then renamed), so a reader never sees a torn file; the metadata, which
    names the weights' hash, is renamed last."""
    from safetensors.torch import save as to_bytes

    from archlaw.bridge import atomic
    from archlaw.bridge.certificate import weights_sha256

    wpath, mpath = _paths(path)
    sd = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    meta = {"archlaw-model": FORMAT, "spec": spec.to_json(), "seeds": dict(seeds or {}),
            "training": dict(training or {}), "versions": _versions(),
            "weights_sha256": weights_sha256(module), "extra": dict(extra or {})}
    atomic.write_all([(wpath, to_bytes(sd)),
                      (mpath, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8"))])
    return wpath, mpath


def read_meta(path: str | Path) -> SavedMeta:
    """Read and validate the metadata file."""
    _, mpath = _paths(path)
    try:
        d = json.loads(mpath.read_text())
    except OSError as e:
        raise ArchLawError(f"cannot read model metadata: {e.strerror}", where=str(mpath)) from None
    except json.JSONDecodeError as e:
        raise ArchLawError(f"bad JSON at line {e.lineno}: {e.msg}", where=str(mpath)) from None
    if isinstance(d, dict) and d.get("archlaw-model") == 1:
        raise ArchLawError(f"metadata of format 1 (bare signatures, before specs); this archlaw "
                           f"reads format {FORMAT}: save the model again", where=str(mpath))
    if not isinstance(d, dict) or d.get("archlaw-model") != FORMAT:
        raise ArchLawError(f"not an archlaw model metadata file of format {FORMAT}", where=str(mpath))
    try:
        spec = ModelSpec.from_json(d["spec"])
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ArchLawError(f"malformed spec: {e}", where=str(mpath)) from None
    return SavedMeta(spec, d.get("seeds") or {}, d.get("training") or {}, d.get("versions") or {},
                     d.get("weights_sha256"), d.get("extra") or {})


def check_spec(meta: SavedMeta, *, laws: Sequence[Any] | None = None,
               expect: ModelSpec | None = None, where: str = "") -> None:
    """Refuse (ArchLawError, one line naming the difference) a saved spec that does not match
    `laws` as they are now or the spec `expect`ed."""
    from archlaw.bridge.spec import spec_difference

    spec = meta.spec
    if expect is not None:
        if spec.laws != expect.laws:
            raise ArchLawError(f"saved spec does not match: laws are {list(spec.laws)}, expected "
                               f"{list(expect.laws)}", where=where or None)
        for a, b in zip(spec.specs, expect.specs):
            diff = spec_difference(a, b)
            if diff:
                raise ArchLawError(f"saved spec does not match the expected one: {diff}",
                                   where=where or None)
    for law in laws or ():
        saved = next((s for s in spec.specs if s.law == law.name), None)
        if saved is None:
            raise ArchLawError(f"saved model was not built for law {law.name} (its spec lists "
                               f"{list(spec.laws)})", where=where or None)
        try:
            now, shapes = _respec(law, saved)
        except ArchLawError as e:
            raise ArchLawError(f"saved spec does not fit law {law.name} as it is now: {e}",
                               where=where or None) from None
        diff = spec_difference(saved, now, shapes=shapes)
        if diff:
            raise ArchLawError(f"saved spec does not fit law {law.name} as it is now: {diff}",
                               where=where or None)


def load(path: str | Path, module: Any, *, laws: Sequence[Any] | None = None,
         expect: ModelSpec | None = None) -> SavedMeta:
    """Check the saved spec against `laws` / `expect`, then load the weights into `module`
    (strict: every key, shape and dtype must match). Returns the metadata."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    wpath, mpath = _paths(path)
    meta = read_meta(path)
    check_spec(meta, laws=laws, expect=expect, where=str(mpath))
    try:
        sd = load_file(str(wpath))
    except (OSError, SafetensorError) as e:
        raise ArchLawError(f"cannot read weights: {e}", where=str(wpath)) from None
    own = module.state_dict()
    missing, extra = sorted(set(own) - set(sd)), sorted(set(sd) - set(own))
    if missing or extra:
        raise ArchLawError(f"weights do not fit the module: missing {missing}, unexpected {extra}",
                           where=str(wpath))
    for k, v in sd.items():
        if tuple(own[k].shape) != tuple(v.shape) or own[k].dtype != v.dtype:
            raise ArchLawError(f"weight {k}: saved {v.dtype} {tuple(v.shape)}, module has "
                               f"{own[k].dtype} {tuple(own[k].shape)}", where=str(wpath))
    module.load_state_dict(sd, strict=True)
    return meta
