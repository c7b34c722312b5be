"""bot.i18n.langdetect: script rules plus lingua, for invented free-text answers."""

from __future__ import annotations

import pytest

from bot.i18n.langdetect import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jag vill att det finns fler fritidsgårdar i min kommun", "sv"),
        ("I would like more football fields near my school", "en"),
        ("Waxaan jeclaan lahaa in la helo meel aan ku ciyaaro kubadda cagta", "so"),
        ("Я хотів би більше спортивних майданчиків біля школи", "uk"),
        ("أريد أن أتعلم اللغة السويدية بشكل أفضل", "ar"),
        ("من می‌خواهم زبان سویدنی را بهتر یاد بگیرم", "fa_AF"),
        ("زه غواړم چې سویډني ژبه ښه زده کړم", "ps"),
        ("ኣነ ቋንቋ ሽወደን ክመሃር እደሊ", "ti"),
    ],
)
def test_detects_each_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["ok", "Hej", "123 456", "نعم", "😀😀😀", "", "   ", "你好，我想学习瑞典语"])
def test_short_or_unclear_text_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_russian_is_not_taken_for_ukrainian() -> None:
    assert detect_language("Я хотел бы больше спортивных площадок возле школы") is None


def test_only_configured_languages_are_returned() -> None:
    assert detect_language("زه غواړم چې سویډني ژبه ښه زده کړم", ["sv", "ar"]) is None
    assert detect_language("ኣነ ቋንቋ ሽወደን ክመሃር እደሊ", ["sv", "en"]) is None
    assert detect_language("من می‌خواهم زبان سویدنی را بهتر یاد بگیرم", ["sv", "fa"]) == "fa"


def test_a_language_added_in_settings_is_detected_without_code() -> None:
    text = "Ich möchte mehr Fußballplätze in der Nähe meiner Schule haben"
    assert detect_language(text, ["sv", "en", "de"]) == "de"
