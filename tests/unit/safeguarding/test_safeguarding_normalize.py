"""The folding that makes crisis phrases robust to spelling noise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.safeguarding.normalize import normalize


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("I  WANT to die!!", "i want to die"),
        ("I W\u200bANT\u200d to d\ufeffie", "i want to die"),  # ZWSP, ZWJ, BOM
        ("\u200fwant\u200e to\u202b die\u202c", "want to die"),  # bidi marks and embeddings
        ("diiiiie", "die"),
        ("kill", "kil"),  # runs shrink on both sides, so "kill" and "kiiill" meet
        ("Självmordstankar", "sjalvmordstankar"),
        ("don't", "dont"),
        ("don’t", "dont"),
        ("ＷＡＮＴ", "want"),  # full-width, NFKC
        ("أُرِيدُ أَنْ أَمُوتَ", "ارید ان اموت"),  # tashkeel, hamza carriers, ي -> ی
        ("ســأنـتـحـر", "سانتحر"),  # tatweel
        ("خودكشي", "خودکشی"),  # Arabic kaf and ye -> Persian
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("می\u200cخواهم", "میخواهم"),  # ZWNJ joins
        ("ሠላም", "ሰላም"),  # Ethiopic ሠ row -> ሰ row
        ("ቐ ኣ", "ቀ አ"),
        ("Їжак й м'ясо", "іжак и мясо"),
        ("٣ ۱۲", "3 12"),
        ("ክሞት፡እደሊ።", "ክሞት እደሊ"),  # Ethiopic wordspace and full stop separate words
        ("", ""),
        ("!!! 😀 ...", ""),
    ],
)
def test_folds(text: str, folded: str) -> None:
    assert normalize(text) == folded


@given(st.text())
def test_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_words_joined_by_single_spaces(text: str) -> None:
    folded = normalize(text)
    assert folded == folded.strip()
    assert "  " not in folded
