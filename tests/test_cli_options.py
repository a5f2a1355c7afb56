"""Options that mean the same thing are defined once (`archlaw.cli.options`): the same help in
every command; options that only share a name say how they differ."""

from __future__ import annotations

import argparse

import pytest

from archlaw.bridge.devices import resolve_device
from archlaw.bridge.errors import ArchLawError
from archlaw.cli.app import build_parser


def _options() -> dict[str, dict[str, str]]:
    """command -> option -> help text."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {name: {s: a.help for a in p._actions for s in a.option_strings}
            for name, p in sub.choices.items()}


@pytest.mark.parametrize("option", ["--root", "--from"])
def test_shared_options_have_one_help_text(option):
    helps = {cmd: opts[option] for cmd, opts in _options().items() if option in opts}
    assert len(helps) >= 2, helps
    assert len(set(helps.values())) == 1, helps


def test_device_reads_the_same_everywhere_and_says_where_keep_is_accepted():
    opts = _options()
    devices = {cmd: o["--device"] for cmd, o in opts.items() if "--device" in o}
    assert set(devices) >= {"check", "verify", "demo", "add"}
    for cmd, text in devices.items():
        assert "auto (cuda if available, else cpu), cpu, cuda or cuda:N" in text, (cmd, text)
        assert ("keep" in text) == (cmd in ("check", "verify", "to-lean")), (cmd, text)


def test_seed_says_which_seed_it_is():
    opts = _options()
    assert "sampling seed" in opts["check"]["--seed"]
    assert "training seed" in opts["add"]["--seed"]


def test_a_bad_device_names_keep_where_keep_is_accepted():
    with pytest.raises(ArchLawError, match=r"expected auto, cpu, cuda, cuda:N, keep$"):
        resolve_device("gpu", also=("keep",))
    with pytest.raises(ArchLawError, match=r"expected auto, cpu, cuda, cuda:N$"):
        resolve_device("gpu")
