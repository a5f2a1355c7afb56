"""Atomic writes (`archlaw.bridge.atomic`) and their users: concurrent writers and readers never
see a torn or empty file; a symlink is written through and a FIFO, device or folder is refused,
never replaced; a certificate and a saved model are written as a pair, and a pair that does not
match is said."""

from __future__ import annotations

import dataclasses
import os
import stat
import threading

import pytest

import conformance_toys as T
from archlaw.bridge import atomic, interchange
from archlaw.bridge.certificate import load_certificate, make_certificate, pair_mismatch
from archlaw.cli.app import main
from archlaw.bridge.conformance import check_theorem
from archlaw.bridge.errors import ArchLawError


def _hammer(path, contents, write, rounds=60, readers=2):
    """Writers (one thread per content) rewrite `path` while readers read it; returns (reads
    that were not one of `contents`, writer exceptions)."""
    write(path, contents[0])
    stop = threading.Event()
    bad: list[str] = []
    errors: list[BaseException] = []

    def writer(c):
        try:
            for _ in range(rounds):
                write(path, c)
        except BaseException as e:  # noqa: BLE001 - collected and asserted on
            errors.append(e)

    def reader():
        while not stop.is_set():
            text = path.read_text(encoding="utf-8")
            if text not in contents:
                bad.append(f"{len(text)} chars")

    rs = [threading.Thread(target=reader) for _ in range(readers)]
    ws = [threading.Thread(target=writer, args=(c,)) for c in contents]
    for t in rs + ws:
        t.start()
    for t in ws:
        t.join()
    stop.set()
    for t in rs:
        t.join()
    return bad, errors


def test_concurrent_writers_and_readers_never_see_a_torn_file(tmp_path):
    contents = [ch * 200_000 for ch in "abc"]
    bad, errors = _hammer(tmp_path / "f.txt", contents, atomic.write_text)
    assert errors == [] and bad == []
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]  # no temporary file left


def test_concurrent_exports_never_fail_or_tear(tmp_path):
    """`interchange.write` (what `archlaw export` calls): it used one fixed ``OUT.tmp`` that two
    writers shared, so writes failed and readers saw empty or torn files."""
    exports = [T.export("source", None), T.export("lean", ("propext",))]
    texts = [interchange.dumps(e) for e in exports]
    by_text = dict(zip(texts, exports))
    bad, errors = _hammer(tmp_path / "laws.sexp", texts,
                          lambda p, text: interchange.write(by_text[text], p), rounds=40)
    assert errors == [] and bad == []


def test_a_symlink_is_written_through(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert atomic.write_text(link, "new") == target
    assert link.is_symlink() and target.read_text() == "new"


def test_a_fifo_a_device_or_a_folder_is_refused_never_replaced(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for where in (fifo, tmp_path, "/dev/null"):
        with pytest.raises(ArchLawError, match="accepted: a regular file"):
            atomic.write_text(where, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_export_out_fifo_is_refused_and_symlink_written_through(proj, tmp_path, capsys):
    fifo = tmp_path / "fifo.sexp"
    os.mkfifo(fifo)
    assert main(["export", "--source", "--root", str(proj), "--out", str(fifo)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a regular file" in err and "fifo.sexp" in err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # the old `export` replaced it with a file
    real, link = tmp_path / "real.sexp", tmp_path / "link.sexp"
    real.write_text("")
    link.symlink_to(real)
    assert main(["export", "--source", "--root", str(proj), "--out", str(link)]) == 0
    assert link.is_symlink() and interchange.read(real).producer == "source"


def test_modes_are_those_of_the_file_replaced_or_the_umask(tmp_path):
    old = tmp_path / "old"
    old.write_text("x")
    old.chmod(0o640)
    atomic.write_text(old, "y")
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o640
    new = atomic.write_text(tmp_path / "new", "y")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o666 & ~umask  # not mkstemp's 0o600


def test_a_failed_set_leaves_no_temporary_file(tmp_path, monkeypatch):
    real = os.replace

    def fail_second(src, dst, calls=[]):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", fail_second)
    with pytest.raises(OSError):
        atomic.write_all([(tmp_path / "a", b"1"), (tmp_path / "b", b"2")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def _cert():
    ex = T.export("lean", ("propext",))
    rep = check_theorem(ex.find("adder_correct"), ex, T.cell_binding(10))
    return make_certificate(rep, T.cell_binding(10), model={"ref": "conformance_toys:cell_binding"})


def test_a_certificate_pair_cut_between_its_renames_is_said(tmp_path, monkeypatch):
    cert = _cert()
    sx, js = cert.write(tmp_path / "c")
    assert pair_mismatch(sx, load_certificate(sx)) is None
    assert pair_mismatch(js, load_certificate(js)) is None
    newer = dataclasses.replace(cert, settings={"seed": 7})
    real = os.replace

    def killed_after_first(src, dst, calls=[]):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is killed between the two renames
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        newer.write(tmp_path / "c")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "c.sexp"]  # no temporaries
    assert load_certificate(sx).settings == {"seed": 7} and load_certificate(js).settings == {}
    msg = pair_mismatch(sx, load_certificate(sx))
    assert msg and "c.sexp and c.json are not the same certificate" in msg and "settings" in msg
    js.write_text(js.read_text()[:100])  # what a kill in the middle of the old write left
    assert "c.json is unreadable" in pair_mismatch(sx, load_certificate(sx))


def test_saved_model_pair_is_written_atomically(tmp_path):
    import torch

    from archlaw.models import saved

    spec = saved.ModelSpec(())
    link_target = tmp_path / "elsewhere.json"
    link_target.write_text("{}")
    (tmp_path / "m.json").symlink_to(link_target)
    w, m = saved.save(tmp_path / "m", torch.nn.Linear(2, 2), spec=spec)
    assert saved.read_meta(tmp_path / "m").spec == spec  # read through the link
    assert (tmp_path / "m.json").is_symlink() and w.is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
