"""Reading the documentation as data: its pages, the commands they show, the figures they quote.

Used by `tests/test_docs_commands.py` (every shown command runs, or is a marked exception),
`tests/test_docs_figures.py` (every quoted figure matches its JSON) and `tests/test_docs_pages.py`
(links, paths and module names exist, the README stays short).

Conventions on a page (README.md and docs/*.md):

* a fenced block whose info string starts with ``sh`` holds commands, one a line (``\\`` joins
  lines); a trailing ``# exit N`` says the command exits with N (default 0), and
  ``# shown only: REASON`` marks an exception, which the test must list with the same reason;
* a fenced ``python`` block whose info string has ``file=NAME`` is written to NAME in the folder
  where that page's commands run (so a page can show a user's module and then check it);
* an inline code span that starts with ``archlaw `` is a command too: a concrete one is run like a
  block's, a synopsis (one with a metavariable in capitals, ``[``, ``…`` or ``...``) is checked
  against the command's ``--help`` (every ``--option`` it names must exist);
* measured figures sit between ``<!-- figures: docs/bench/NAME.json -->`` and
  ``<!-- /figures -->``, with a line ``Source: `COMMAND` … YYYY-MM-DD`` giving the command and the
  date that produced them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pages() -> list[Path]:
    """README.md and every page under docs/, in a fixed order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string, its text, and the line where its text starts."""

    page: str
    info: str
    text: str
    line: int


_FENCE = re.compile(r"^(```+)\s*(.*)$")


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a markdown page (fences of three or more backticks)."""
    out, lines = [], path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group(1), m.group(2).strip(), i + 1
        j = start
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        out.append(Block(rel(path), info, "\n".join(lines[start:j]), start + 1))
        i = j + 1
    return out


def prose(path: Path) -> str:
    """The page's text outside fenced blocks (fenced lines replaced by empty ones)."""
    lines, keep, fence = path.read_text(encoding="utf-8").split("\n"), [], None
    for line in lines:
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            keep.append("")
        elif fence is not None:
            if line.startswith(fence):
                fence = None
            keep.append("")
        else:
            keep.append(line)
    return "\n".join(keep)


@dataclass(frozen=True)
class Command:
    """One shown command line, where it was shown, and what the page says of it."""

    page: str
    line: int
    text: str            # the command, comment removed
    exit: int            # the exit status the page states (0 unless `# exit N`)
    shown_only: str | None  # the reason, for an exception


_EXIT = re.compile(r"#.*?\bexit (\d+)")
_SHOWN = re.compile(r"#\s*shown only:\s*(.+?)\s*$")


def _strip_comment(line: str) -> tuple[str, str]:
    """Split a shell line into command and comment (a `#` outside quotes, after a space)."""
    quote = None
    for k, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or line[k - 1].isspace()):
            return line[:k].rstrip(), line[k:]
    return line.rstrip(), ""


def sh_commands(path: Path) -> list[Command]:
    """The command lines of a page's ``sh`` blocks (comment-only lines are not commands)."""
    out = []
    for b in blocks(path):
        if not b.info.split() or b.info.split()[0] != "sh":
            continue
        joined: list[tuple[int, str]] = []
        for k, line in enumerate(b.text.split("\n")):
            if joined and joined[-1][1].endswith("\\"):
                joined[-1] = (joined[-1][0], joined[-1][1][:-1] + " " + line.strip())
            else:
                joined.append((b.line + k, line))
        for lineno, line in joined:
            cmd, comment = _strip_comment(line.strip())
            if not cmd:
                continue
            shown = _SHOWN.search(comment)
            ex = _EXIT.search(comment)
            out.append(Command(b.page, lineno, cmd, int(ex.group(1)) if ex else 0,
                               shown.group(1) if shown else None))
    return out


_INLINE = re.compile(r"(?<!`)`(archlaw [^`]+)`(?!`)")
_SYNOPSIS = re.compile(r"\b[A-Z][A-Z_]*\b|\[|…|\.\.\.")


def inline_commands(path: Path) -> list[tuple[str, int, str]]:
    """(page, line, text) of every inline ``archlaw …`` code span outside fenced blocks."""
    out = []
    for k, line in enumerate(prose(path).split("\n")):
        out.extend((rel(path), k + 1, m.group(1)) for m in _INLINE.finditer(line))
    # a span broken over two lines of a paragraph: join the paragraph and search again
    text = prose(path)
    for m in re.finditer(r"(?<!`)`(archlaw [^`]*\n[^`]*)`", text):
        out.append((rel(path), text[:m.start()].count("\n") + 1, " ".join(m.group(1).split())))
    return out


def is_synopsis(text: str) -> bool:
    """A command shape with metavariables (``archlaw check LAW --model mod:fn``), not a command."""
    return bool(_SYNOPSIS.search(text))


# --- figures --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FigureBlock:
    page: str
    line: int
    json_path: str
    text: str


_OPEN = re.compile(r"<!--\s*figures:\s*(\S+)\s*-->")
_CLOSE = "<!-- /figures -->"


def figure_blocks(path: Path) -> list[FigureBlock]:
    """The figure blocks of a page; an unclosed or nested block is an AssertionError."""
    out, lines, k = [], path.read_text(encoding="utf-8").split("\n"), 0
    while k < len(lines):
        m = _OPEN.search(lines[k])
        if m:
            end = k + 1
            while end < len(lines) and _CLOSE not in lines[end]:
                assert not _OPEN.search(lines[end]), f"{rel(path)}:{end + 1}: nested figures block"
                end += 1
            assert end < len(lines), f"{rel(path)}:{k + 1}: figures block never closed"
            out.append(FigureBlock(rel(path), k + 1, m.group(1), "\n".join(lines[k + 1:end])))
            k = end
        k += 1
    return out


_SOURCE = re.compile(r"^Source: `([^`]+)`.*\b(\d{4}-\d{2}-\d{2})\b", re.M)
# a figure: digits with optional thousands commas, decimals and exponent, not part of a word
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(e[-+]?\d+)?(?![\w])")


def json_numbers(data) -> tuple[list[float], set[str]]:
    """Every number in a JSON value: the numeric leaves, and the numerals inside its strings and
    keys (row labels such as ``"C4 samples=32 size=12"`` or ``"10x"``)."""
    values: list[float] = []
    words: set[str] = set()

    def walk(x) -> None:
        if isinstance(x, bool) or x is None:
            return
        if isinstance(x, (int, float)):
            if math.isfinite(x):
                values.append(float(x))
        elif isinstance(x, str):
            words.update(n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", x))
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(str(k))
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    return values, words


def figure_matches(token: str, values: list[float], words: set[str]) -> bool:
    """Whether a figure as printed (``10,000``, ``0.975``, ``6.0e-07``) is one of the JSON's
    numbers at the printed precision, or that number × 100 (a percent of a rate) or × 1000
    (milliseconds of seconds), or a numeral of its labels."""
    plain = token.replace(",", "")
    if plain in words:
        return True
    shown = float(plain)
    if "e" in plain:
        mantissa = plain.split("e")[0]
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return any(f"{v:.{digits}e}" == f"{shown:.{digits}e}" for v in values)
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    half = 0.5 * 10 ** -decimals + 1e-9
    return any(abs(s * v - shown) <= half for v in values for s in (1, 100, 1000))


def strip_non_figures(text: str) -> str:
    """A block's text without what is not a measured figure: code spans, the Source line,
    links' targets and HTML comments."""
    text = _SOURCE.sub("", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<!--.*?-->", " ", text, flags=re.S)


def check_figure_block(block: FigureBlock) -> list[str]:
    """Every problem with one figure block, each as ``page:line: what`` (empty when it is true
    to its JSON)."""
    where = f"{block.page}:{block.line}"
    path = ROOT / block.json_path
    if not block.json_path.startswith("docs/bench/") or not path.is_file():
        return [f"{where}: figures from {block.json_path}, which is not a file under docs/bench/"]
    problems = []
    src = _SOURCE.search(block.text)
    if not src:
        problems.append(f"{where}: no line 'Source: `COMMAND` ... YYYY-MM-DD' in the block")
    data = json.loads(path.read_text(encoding="utf-8"))
    recorded = _recorded_command(data)
    if src and recorded and not _same_command(src.group(1), recorded):
        problems.append(f"{where}: the page says `{src.group(1)}` but {block.json_path} records "
                        f"{recorded!r}")
    values, words = json_numbers(data)
    text = strip_non_figures(block.text)
    for k, line in enumerate(text.split("\n")):
        for m in _NUMBER.finditer(line):
            if not figure_matches(m.group(0), values, words):
                problems.append(f"{block.page}:{block.line + 1 + k}: figure {m.group(0)} is not "
                                f"in {block.json_path}")
    return problems


def _recorded_command(data) -> list[str] | None:
    """The arguments a JSON records for the run that wrote it, where it records them."""
    env = data.get("env", {}) if isinstance(data, dict) else {}
    for holder in (data, env):
        if isinstance(holder, dict) and isinstance(holder.get("argv"), list):
            return [str(a) for a in holder["argv"]]
        if isinstance(holder, dict) and isinstance(holder.get("command"), str):
            return holder["command"].split()
    return None


def _same_command(shown: str, recorded: list[str]) -> bool:
    """The page's command runs the recorded one: the same script, and every recorded argument
    (the recorded list may omit the interpreter, `nice` or env settings that the page shows)."""
    words = shown.split()
    scripts = [w for w in recorded if w.endswith(".py")]
    if scripts and not any(w.endswith(scripts[0].split("/")[-1]) for w in words):
        return False
    return all(a in words for a in recorded if not a.endswith(".py") and a != "python"
               and not a.startswith("nice"))
