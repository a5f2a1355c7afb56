"""The one `--device` resolver: ``auto`` is cuda when available, else cpu.

`resolve_device(value)` is used by every command, model and script that takes a device, so
``--device`` means the same everywhere and a bad value is the same one-line `ArchLawError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ArchLawError

if TYPE_CHECKING:
    import torch

__all__ = ["resolve_device"]


def resolve_device(device: "str | torch.device | None" = "auto", *,
                   what: str = "argument --device", also: tuple[str, ...] = ()) -> "torch.device":
    """``"auto"`` (or None) -> cuda if available else cpu; any other torch device name (``cpu``,
    ``cuda``, ``cuda:1``) or `torch.device` as given. A name torch does not accept, or cuda when
    CUDA is not available, is an `ArchLawError` naming `what` and what is accepted (`also`: the
    caller's own further values, e.g. ``keep``, handled before this is called)."""
    import torch

    if device is None or str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ArchLawError(f"{what}: {str(device)!r} is not accepted; expected "
                           + ", ".join(("auto", "cpu", "cuda", "cuda:N", *also))) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ArchLawError(f"{what}: {dev} was asked for but CUDA is not available; use auto or cpu")
    return dev
