"""The nesting limit that docs/interchange.md documents: at most 120 parentheses deep, counting
``(archlaw-export`` itself; one deeper is refused with its line:col."""

import pytest

from archlaw.bridge import interchange
from archlaw.bridge.errors import ArchLawError


def _nested(apps: int) -> str:
    # (archlaw-export (law (fields (field ... apps x (app ...) (sort ...)): depth 4 + apps + 1
    return ('(archlaw-export (version 1) (producer "source") (law (name "A") (module "M") (params)'
            ' (fields (field "f" ' + '(app "g" ' * apps + '(sort "Prop")' + ")" * apps + "))))")


def test_documented_limit_is_the_code_limit():
    assert interchange.MAX_DEPTH == 120


def test_depth_120_is_read():
    exp = interchange.loads(_nested(120 - 5))
    assert [d.name for d in exp.declarations] == ["A"]


def test_depth_121_is_refused_with_position():
    text = _nested(121 - 5)
    with pytest.raises(ArchLawError, match=r"1:\d+: nested deeper than 120 levels"):
        interchange.loads(text)
