"""Text normalisation: the fast path for clean text never changes the result."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from consolidate.text import clean_multiline, nfc

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
