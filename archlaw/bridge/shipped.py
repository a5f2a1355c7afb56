"""Where ArchLaw's own Lean library is, as installed with this Python package.

The wheel ships ``lean/ArchLaw.lean`` and ``lean/ArchLaw/**.lean`` as data files
(``pyproject.toml``, ``[tool.setuptools.data-files]``): pip puts them under the install's data
prefix, ``<prefix>/share/archlaw/lean/...`` (``<prefix>`` is the venv for a venv install). This
module finds that copy for the source reader's import resolution (the last place searched, after
a project's own sources and its ``.lake/packages``) and for ``archlaw laws`` run outside any Lake
project.

`lean_library_root` is the directory that holds ``lean/ArchLaw.lean``:

* the repository, when the imported ``archlaw`` package sits in a checkout (an editable install,
  or running from the source tree): the checkout's own ``lean/`` is the library, edits included,
  and an editable install copies no data files;
* otherwise ``<prefix>/share/archlaw`` of the installed distribution that provided the imported
  ``archlaw`` package, found through the files its ``RECORD`` lists (so a ``--user`` or any other
  install scheme is found where pip put it);
* ``None`` when neither exists (an install built without the data files).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

__all__ = ["lean_library_root", "SHIPPED_MARKER", "INSTALLED_KEY"]

#: The file whose presence makes a directory's ``lean/`` ArchLaw's Lean library.
SHIPPED_MARKER = Path("lean") / "ArchLaw.lean"
#: The prefix of the installed library's files in hashes, source ranges and messages: their
#: absolute path depends on where the package was installed, their content does not.
INSTALLED_KEY = "<archlaw>"


def _package_dir() -> Path:
    """The directory of the imported ``archlaw`` package (this file is archlaw/bridge/shipped.py:
    the engine imports nothing above archlaw.bridge)."""
    return Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def lean_library_root() -> Optional[Path]:
    """The directory holding ``lean/ArchLaw.lean`` installed with this package (see the module
    docstring for the order), or None. Cached: an install does not move during a run."""
    checkout = _package_dir().parent
    if (checkout / SHIPPED_MARKER).is_file() and (checkout / "lakefile.lean").is_file():
        return checkout
    return _from_record()


def _from_record() -> Optional[Path]:
    """``<prefix>/share/archlaw`` of the distribution whose RECORD lists the imported package."""
    import importlib.metadata as md

    init = _package_dir() / "__init__.py"
    suffix = ("share", "archlaw", *SHIPPED_MARKER.parts)
    for dist in md.distributions(name="archlaw"):
        files = dist.files or []
        # the distribution that installed the `archlaw` imported now (another one may be on
        # sys.path too, e.g. an editable install of a checkout further down)
        mine = any(f.parts == ("archlaw", "__init__.py") and _same(dist.locate_file(f), init)
                   for f in files)
        if not mine:
            continue
        for f in files:
            if tuple(f.parts[-len(suffix):]) == suffix:
                marker = Path(dist.locate_file(f)).resolve()
                if marker.is_file():
                    return marker.parents[1]
    return None


def _same(a: object, b: Path) -> bool:
    try:
        return Path(str(a)).resolve() == b
    except OSError:
        return False
