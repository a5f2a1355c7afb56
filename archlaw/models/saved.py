"""Saved models: safetensors weights plus a JSON metadata file that ties them to their laws.

``save(path, module, spec=spec_of(laws, binding), seeds=..., training=...)`` writes
``<path>.safetensors`` and ``<path>.json``. The metadata holds the `ModelSpec` (the law names;
each sort parameter's encoding; the law parameters such as ``B``; and each model symbol's
signature, e.g. ``cell : (Fin 10) → (Fin 10) → (Fin 2) → (Fin 10) × (Fin 2)``, derived from the
law's types under those encodings), the seeds, the training configuration, the library versions
and the SHA-256 of the weights (as `archlaw.bridge.certificate.weights_sha256` computes it).

``load(path, module, laws=...)`` refuses, with one line naming the difference, a file whose
spec does not match the laws as they are now (a law missing from the spec, a symbol whose
signature changed) or a `spec` the caller expects; then loads the weights strictly. Every
problem is an `ArchLawError` naming the file.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from archlaw.bridge.errors import ArchLawError

__all__ = ["ModelSpec", "SavedMeta", "spec_of", "save", "load", "FORMAT"]

#: Version of the metadata format.
FORMAT = 1


@dataclass(frozen=True)
class ModelSpec:
    """What a set of weights claims to implement (see the module docstring)."""

    laws: tuple[str, ...]
    sorts: Mapping[str, str]
    params: Mapping[str, int]
    signatures: Mapping[str, str]

    def to_json(self) -> dict:
        return {"laws": list(self.laws), "sorts": dict(self.sorts), "params": dict(self.params),
                "signatures": dict(self.signatures)}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> "ModelSpec":
        return ModelSpec(tuple(d["laws"]), dict(d["sorts"]), {k: int(v) for k, v in d["params"].items()},
                         dict(d["signatures"]))


@dataclass(frozen=True)
class SavedMeta:
    """The metadata file's contents."""

    spec: ModelSpec
    seeds: Mapping[str, Any] = field(default_factory=dict)
    training: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    weights_sha256: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def _signatures(laws: Sequence[Any], sorts: Mapping[str, Any], params: Mapping[str, int],
                symbols: Sequence[str] | None) -> dict[str, str]:
    from archlaw.bridge.ir import App, is_prop
    from archlaw.bridge.sorts import Encoding, resolve_sort

    class Named(Encoding):
        """An opaque encoding known only by its description (to recompute signatures)."""

        kind = "Named"

        def __init__(self, text: str):
            self.text = text

        def describe(self) -> str:
            return self.text

    enc = {k: (v if isinstance(v, Encoding) else Named(v)) for k, v in sorts.items()}
    out: dict[str, str] = {}
    for law in laws:
        for p in law.params:
            if p.is_sort or is_prop(p.sort) or p.binder == "inst_implicit":
                continue  # an instance ([Add V]) is resolved from the sort, not a model symbol
            if isinstance(p.sort, App) and p.sort.head_name == "Nat" and not p.sort.args:
                continue
            if symbols is not None and p.name not in symbols:
                continue
            out[f"{law.name}.{p.name}"] = resolve_sort(p.sort, enc, params,
                                                       where=f"law {law.name}").describe()
    return out


def spec_of(laws: Sequence[Any], binding: Any) -> ModelSpec:
    """The spec of a model bound by `binding` to `laws` (`archlaw.bridge.ir.Law` values): its
    model symbols' signatures under the binding's encodings and parameters."""
    sorts = {k: v.describe() for k, v in binding.sorts.items()}
    return ModelSpec(tuple(law.name for law in laws), sorts, dict(binding.params),
                     _signatures(laws, binding.sorts, binding.params, sorted(binding.model_symbols)))


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
    """Refuse (ArchLawError) a saved spec that does not match `laws` or `expect`."""
    spec = meta.spec
    if expect is not None:
        for name in ("laws", "sorts", "params", "signatures"):
            a, b = getattr(spec, name), getattr(expect, name)
            if (tuple(a) if name == "laws" else dict(a)) != (tuple(b) if name == "laws" else dict(b)):
                raise ArchLawError(f"saved spec does not match: {name} is {a}, expected {b}",
                                   where=where or None)
    if laws is not None:
        for law in laws:
            if law.name not in spec.laws:
                raise ArchLawError(f"saved model was not built for law {law.name} (its spec lists "
                                   f"{list(spec.laws)})", where=where or None)
        try:
            now = _signatures(laws, spec.sorts, spec.params, None)
        except ArchLawError as e:
            raise ArchLawError(f"saved spec does not fit the laws as they are now: {e}",
                               where=where or None) from None
        for key, sig in spec.signatures.items():
            if key in now and now[key] != sig:
                raise ArchLawError(f"symbol {key} was saved as {sig} but the law now gives "
                                   f"{now[key]}", where=where or None)
            if key not in now and key.rsplit(".", 1)[0] in {law.name for law in laws}:
                raise ArchLawError(f"symbol {key} of the saved spec is no longer a parameter of "
                                   "its law", where=where or None)


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
