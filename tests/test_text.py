"""Text normalisation: the fast path for clean text never changes the result."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from consolidate.core.text import clean_multiline, nfc

_ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _reference(value: str) -> str:
    text = unicodedata.normalize("NFC", value).translate(_ZW)
    return re.sub(r"\s+", " ", text).strip()


def test_pasted_whitespace_is_normalised() -> None:
    assert nfc("Đang\x0bthực hiện") == "Đang thực hiện"
    assert nfc("Đang\u2009thực\u00a0hiện ") == "Đang thực hiện"
    assert nfc("x\u200by") == "xy"
    assert clean_multiline("dòng 1\r\ndòng\u20032") == "dòng 1\ndòng 2"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_nfc_equals_the_slow_definition(value: str) -> None:
    assert nfc(value) == _reference(value)


_SPACEY = "ab Đế\u0301 \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2003\u2009\u200a\u200b\u2028\u202f\u3000\ufeff\u00ad"


@given(st.text(alphabet=_SPACEY, max_size=12))
def test_nfc_equals_the_slow_definition_on_whitespace_heavy_text(value: str) -> None:
    assert nfc(value) == _reference(value)
