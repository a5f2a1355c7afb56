"""Stock sequence modules as folds and machines, with no binding code.

`nn.RNN`, `nn.GRU` and `nn.LSTM` (``batch_first`` either way, any number of layers) are left
folds and Mealy/Moore machines; an `nn.TransformerEncoder` (or `nn.TransformerEncoderLayer`)
given the causal mask (`Causal`) is a Mealy machine whose state is the prefix read so far.
`adapt` is what `archlaw.bridge.spec.derive_binding` calls: a stock module given for one model
symbol of a law in `LAWS` supplies every model symbol of that law not given otherwise, and the
law's sorts, read off the module::

    assert_law("ArchLaw.FoldlLaws", run=nn.GRU(3, 8, num_layers=2))

Recurrent modules (`Recurrent`). The state is torch's ``h_0`` with the batch first: a float
(num_layers, H_out), H_out = ``proj_size`` or ``hidden_size``; for the LSTM the pair (h, c),
c being (num_layers, hidden_size). Inputs are ``Float[input_size]``; the output at each step is
the top layer's new h, ``Float[H_out]``. Every function below calls the module itself, with its
own weights:

* the cell (``step s a``): the module on a length-1 sequence from state s, layer by layer, as
  torch runs it;
* ``init``: zeros, torch's default ``h_0``;
* the runs (``run``, ``state``, ``out``): the module on `pack_padded_sequence` (lengths on the
  CPU, ``enforce_sorted=False``), so padding is never read; an empty list keeps its state and
  outputs nothing (packing refuses length 0, so those rows are not run);
* Moore form: ``output s`` is the top layer of s's h, ``out s u`` that of every state visited,
  the first included.

Bidirectional modules are refused: the backward direction reads each list from its end, so the
module is not a fold.

Causal encoders (`Encoder`). The state is the prefix (``S = List I``, I = O =
``Float[d_model]``): ``state s u = s ++ u``, ``out s u`` the encoder's outputs at u's positions
when run on ``s ++ u`` (padding masked by ``src_key_padding_mask``), ``nextState s i = s ++ [i]``
and ``output s i`` the last of them. With that state, `RestartLaws` and `CausalLaw` hold exactly
when no output reads a later position: with the causal mask they pass, without it they fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .binding import ListBatch
from .errors import ArchLawError
from .interpret import append_lists
from .sorts import Encoding, FloatTensor, ListOf, ProdOf, map_leaves, take

__all__ = ["LAWS", "LawRoles", "STOCK", "Causal", "Recurrent", "Encoder", "adapter_for", "adapt",
           "batch_first_of"]


@dataclass(frozen=True)
class LawRoles:
    """How a sequence module meets one law: its sort names (`state`, `input`, `output`; None
    where the law has none) and, per model symbol, the module's function playing it (``step``,
    ``init``, ``run``, ``state``, ``out``, ``output``, ``moore_output``, ``moore_out``)."""

    state: str
    input: str
    output: str | None
    symbols: Mapping[str, str]


_MEALY = {"nextState": "step", "output": "output", "state": "state", "out": "out"}
#: The laws a stock sequence module binds, by full name.
LAWS: dict[str, LawRoles] = {
    "ArchLaw.FoldlLaws": LawRoles("H", "A", None, {"cell": "step", "init": "init", "run": "run"}),
    "ArchLaw.MealyLaws": LawRoles("S", "I", "O", _MEALY),
    "ArchLaw.RestartLaws": LawRoles("S", "I", "O", {"state": "state", "out": "out"}),
    "ArchLaw.CausalLaw": LawRoles("S", "I", "O", {"out": "out"}),
    "ArchLaw.MooreLaws": LawRoles("S", "I", "O", {"nextState": "step", "output": "moore_output",
                                                  "state": "state", "out": "moore_out"}),
    "ArchLaw.MooreRestartLaws": LawRoles("S", "I", "O", {"state": "state", "out": "moore_out"}),
}


def _short(name: str) -> str:
    return name.rpartition(".")[2]


def batch_first_of(module: Any) -> bool | None:
    """The module's own ``batch_first``, or its first submodule's that has one (torch's
    attention layers); None when none has (or `module` is no `nn.Module`)."""
    if isinstance(module, nn.Module):
        for m in module.modules():
            if hasattr(m, "batch_first"):
                return bool(m.batch_first)
    return None


def _batch_first(module: nn.Module) -> bool:
    return bool(batch_first_of(module))  # torch's default: sequence first


# ------------------------------------------------------------------------------------------
# Recurrent modules


class Recurrent:
    """`nn.RNN` / `nn.GRU` / `nn.LSTM` as a fold and a machine (module docstring). States are
    batched as the engine batches them: (N, num_layers, H_out), or a pair for the LSTM."""

    def __init__(self, module: nn.RNNBase, where: str):
        if module.bidirectional:
            raise ArchLawError(f"{type(module).__name__}(bidirectional=True) is not a fold: its "
                               "backward direction reads each list from its end; give a "
                               "unidirectional module", where=where)
        self.module = module
        self.lstm = isinstance(module, nn.LSTM)
        self.layers = int(module.num_layers)
        self.h_out = int(getattr(module, "proj_size", 0) or module.hidden_size)

    def sorts(self) -> tuple[Encoding, Encoding, Encoding]:
        """(state, input, output) sorts."""
        h = FloatTensor((self.layers, self.h_out))
        state = ProdOf(h, FloatTensor((self.layers, self.module.hidden_size))) if self.lstm else h
        return state, FloatTensor((self.module.input_size,)), FloatTensor((self.h_out,))

    # torch's h_0 is (num_layers, N, H): the engine's state is batch first
    def _to_torch(self, s: Any) -> Any:
        return map_leaves(s, lambda t: t.transpose(0, 1).contiguous())

    def _from_torch(self, h: Any) -> Any:
        return map_leaves(tuple(h) if isinstance(h, tuple) else h,
                          lambda t: t.transpose(0, 1).contiguous())

    def _top(self, s: Any) -> Tensor:
        return (s[0] if self.lstm else s)[:, -1]

    def _seq(self, x: Tensor) -> Tensor:
        """(N, L, d) batch-first values -> the module's layout."""
        return x if self.module.batch_first else x.transpose(0, 1)

    def init(self) -> Any:
        p = next(self.module.parameters())
        z = torch.zeros(self.layers, self.h_out, dtype=p.dtype, device=p.device)
        return (z, torch.zeros(self.layers, self.module.hidden_size, dtype=p.dtype,
                               device=p.device)) if self.lstm else z

    def step(self, s: Any, a: Tensor) -> Any:
        """The cell: the module itself on the length-1 sequence ``[a]`` from state s."""
        _, h = self.module(self._seq(a.unsqueeze(1)), self._to_torch(s))
        return self._from_torch(h)

    def output(self, s: Any, a: Tensor) -> Tensor:
        return self._top(self.step(s, a))

    def moore_output(self, s: Any) -> Tensor:
        return self._top(s)

    def runs(self, s: Any, xs: ListBatch) -> tuple[Any, ListBatch]:
        """(the state after each list, the top layer's output at each position), by packing:
        padding is never read."""
        vals, lengths = xs.values, xs.lengths
        n, width = int(lengths.shape[0]), int(vals.shape[1])
        ys = torch.zeros(n, width, self.h_out, dtype=self._top(s).dtype, device=lengths.device)
        live = (lengths > 0).nonzero().squeeze(1)
        if width == 0 or live.numel() == 0:
            return s, ListBatch(ys, lengths)
        packed = pack_padded_sequence(self._seq(vals[live]), lengths[live].cpu(),
                                      batch_first=self.module.batch_first, enforce_sorted=False)
        y, h = self.module(packed, self._to_torch(take(s, live)))
        y, _ = pad_packed_sequence(y, batch_first=self.module.batch_first, total_length=width)
        ys = ys.index_copy(0, live, y if self.module.batch_first else y.transpose(0, 1))
        final = _put(s, live, self._from_torch(h))
        return final, ListBatch(ys, lengths)

    def state(self, s: Any, xs: ListBatch) -> Any:
        return self.runs(s, xs)[0]

    def out(self, s: Any, xs: ListBatch) -> ListBatch:
        return self.runs(s, xs)[1]

    def run(self, xs: ListBatch) -> Any:
        n = xs.batch_size
        s0 = map_leaves(self.init(), lambda t: t.unsqueeze(0).expand(n, *t.shape).contiguous())
        return self.state(s0, xs)

    def moore_out(self, s: Any, xs: ListBatch) -> ListBatch:
        ys = self.out(s, xs)
        return ListBatch(torch.cat([self._top(s).unsqueeze(1), ys.values], 1), xs.lengths + 1)


def _put(s: Any, idx: Tensor, v: Any) -> Any:
    """`s` with rows `idx` replaced by `v` (a tensor or a pair of them)."""
    if isinstance(s, tuple):
        return tuple(_put(a, idx, b) for a, b in zip(s, v))
    return s.index_copy(0, idx, v.to(s.dtype))


# ------------------------------------------------------------------------------------------
# Causal encoders


class Causal(nn.Module):
    """A stock `nn.TransformerEncoder` or `nn.TransformerEncoderLayer` called with the causal
    mask (position t reads positions up to t): `nn.Transformer.generate_square_subsequent_mask`,
    with ``is_causal=True``. `forward` takes what the wrapped module takes, in its layout."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        if not isinstance(encoder, (nn.TransformerEncoder, nn.TransformerEncoderLayer)):
            raise ArchLawError(f"Causal wraps an nn.TransformerEncoder or "
                               f"nn.TransformerEncoderLayer, not {type(encoder).__name__}")
        self.encoder = encoder

    def forward(self, x: Tensor, src_key_padding_mask: Tensor | None = None) -> Tensor:
        length = x.shape[1] if _batch_first(self.encoder) else x.shape[0]
        mask = nn.Transformer.generate_square_subsequent_mask(length, device=x.device,
                                                              dtype=x.dtype)
        if src_key_padding_mask is not None and src_key_padding_mask.dtype == torch.bool:
            # the same kind of mask as the causal one (torch deprecates mixing them)
            src_key_padding_mask = torch.zeros_like(src_key_padding_mask, dtype=x.dtype
                                                    ).masked_fill(src_key_padding_mask, -torch.inf)
        if isinstance(self.encoder, nn.TransformerEncoder):
            return self.encoder(x, mask=mask, src_key_padding_mask=src_key_padding_mask,
                                is_causal=True)
        return self.encoder(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                            is_causal=True)


def _d_model(module: nn.Module) -> int:
    for m in module.modules():
        if isinstance(m, nn.MultiheadAttention):
            return int(m.embed_dim)
    raise ArchLawError(f"{type(module).__name__} has no attention layer to read d_model from")


class Encoder:
    """A transformer encoder (masked by `Causal` or not) as a Mealy machine whose state is the
    prefix (module docstring). Lists of ``Float[d_model]`` batched as `ListBatch`."""

    def __init__(self, module: nn.Module):
        self.module = module
        self.d = _d_model(module)
        self.batch_first = _batch_first(module)

    def sorts(self) -> tuple[Encoding, Encoding, Encoding]:
        x = FloatTensor((self.d,))
        return ListOf(x), x, x

    def state(self, s: ListBatch, u: ListBatch) -> ListBatch:
        return append_lists(s, u)

    def step(self, s: ListBatch, a: Tensor) -> ListBatch:
        one = torch.ones_like(s.lengths)
        return append_lists(s, ListBatch(a.unsqueeze(1), one))

    def _encode(self, xs: ListBatch) -> Tensor:
        """The encoder's outputs (N, W, d) on each list, rows of length 0 not run (all their
        keys would be masked) and left zero."""
        vals, lengths = xs.values, xs.lengths
        out = torch.zeros_like(vals)
        live = (lengths > 0).nonzero().squeeze(1)
        if vals.shape[1] == 0 or live.numel() == 0:
            return out
        x = vals[live]
        pad = torch.arange(x.shape[1], device=x.device)[None] >= lengths[live, None]
        y = self.module(x if self.batch_first else x.transpose(0, 1), src_key_padding_mask=pad)
        y = y if self.batch_first else y.transpose(0, 1)
        return out.index_copy(0, live, torch.where(pad[..., None], 0.0, y).to(out.dtype))

    def out(self, s: ListBatch, u: ListBatch) -> ListBatch:
        width = int(u.values.shape[1])
        full = append_lists(s, u)
        y = self._encode(full)
        if width == 0 or y.shape[1] == 0:
            return ListBatch(y[:, :0], u.lengths)
        pos = (s.lengths[:, None] + torch.arange(width, device=y.device)[None])
        idx = pos.clamp(max=y.shape[1] - 1)
        got = torch.gather(y, 1, idx[..., None].expand(-1, -1, self.d))
        live = torch.arange(width, device=y.device)[None] < u.lengths[:, None]
        return ListBatch(torch.where(live[..., None], got, 0.0), u.lengths)

    def output(self, s: ListBatch, a: Tensor) -> Tensor:
        full = self.step(s, a)
        y = self._encode(full)
        return torch.gather(y, 1, (full.lengths - 1)[:, None, None].expand(-1, 1, self.d))[:, 0]


# ------------------------------------------------------------------------------------------
# Binding


#: The stock sequence modules `adapt` recognises.
STOCK = (nn.RNNBase, Causal, nn.TransformerEncoder, nn.TransformerEncoderLayer)


def adapter_for(module: Any, where: str = "") -> Recurrent | Encoder | None:
    """The adapter of a stock sequence module (`STOCK`), or None for anything else."""
    if isinstance(module, nn.RNNBase):
        return Recurrent(module, where)
    if isinstance(module, STOCK):
        return Encoder(module)
    return None


def adapt(law: Any, symbols: Mapping[str, Any], sorts: Mapping[str, Encoding]
          ) -> tuple[dict[str, Any], dict[str, Encoding]]:
    """`symbols` and `sorts` with every stock sequence module among `symbols` replaced by its
    functions for `law` (`LAWS`), the law's model symbols not given filled in from it, and the
    state, input and output sorts read off it (a sort given must equal the module's). Unchanged
    for a law not in `LAWS` (an `nn.RNNBase` given to one is refused with one line naming the
    laws it binds)."""
    symbols, sorts = dict(symbols), dict(sorts)
    roles = LAWS.get(law.name)
    found = {id(v): v for v in symbols.values() if isinstance(v, STOCK)}
    if not found:
        return symbols, sorts
    if roles is None:
        if any(isinstance(v, nn.RNNBase) for v in found.values()):
            raise ArchLawError(f"a stock recurrent module binds the laws "
                               f"{', '.join(_short(k) for k in LAWS)}, not {_short(law.name)}",
                               where=f"law {law.name}")
        return symbols, sorts
    adapters = {k: adapter_for(v, f"law {law.name}, symbol {_name_of(symbols, v)}")
                for k, v in found.items()}
    missing = [k for k in roles.symbols if k not in symbols]
    if missing and len(adapters) > 1:
        raise ArchLawError(f"give {', '.join(missing)}: two different stock modules were given, "
                           "so which one supplies the rest is not clear", where=f"law {law.name}")
    for name in [*symbols, *missing]:
        if name not in roles.symbols:
            continue
        if name in symbols:  # given: a stock module plays its role, anything else is kept
            ad = adapters.get(id(symbols[name]))
        else:
            ad = next(iter(adapters.values()))
        if ad is None:
            continue
        fn = getattr(ad, roles.symbols[name], None)
        if fn is None:
            raise ArchLawError(f"{type(ad.module).__name__} has no {roles.symbols[name]} to "
                               f"bind {name}: a transformer encoder binds "
                               f"{', '.join(_short(k) for k in _ENCODER_LAWS)}, its state "
                               "being the prefix", where=f"law {law.name}")
        symbols[name] = fn
    read = {ad.sorts() for ad in adapters.values()}
    if len(read) > 1:
        raise ArchLawError("the stock modules given have different state, input or output "
                           "sorts: " + "; ".join(", ".join(e.describe() for e in r) for r in read),
                           where=f"law {law.name}")
    state, inp, out = read.pop()
    for key, enc in ((roles.state, state), (roles.input, inp), (roles.output, out)):
        if key is None:
            continue
        if key in sorts and sorts[key] != enc:
            raise ArchLawError(f"{key} = {sorts[key].describe()} was given, but the module's "
                               f"{key} is {enc.describe()}; leave {key} out to take the "
                               "module's", where=f"law {law.name}")
        sorts[key] = enc
    return symbols, sorts


_ENCODER_LAWS = ("ArchLaw.MealyLaws", "ArchLaw.RestartLaws", "ArchLaw.CausalLaw")


def _name_of(symbols: Mapping[str, Any], v: Any) -> str:
    return next((k for k, x in symbols.items() if x is v), "?")
