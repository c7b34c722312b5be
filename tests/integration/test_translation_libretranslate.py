"""The LibreTranslate client (bot/translation/libretranslate.py) against the fake
LibreTranslate server over real HTTP: languages, translations, and each of the
server's refusals as a TranslationFailed that says what an admin needs (never the text)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.forwarding.translations import TranslationFailed, can_translate
from bot.translation.libretranslate import LibreTranslate
from tests.fakelibretranslate.server import FakeLibreTranslate


async def test_languages_and_a_translation(fake_libretranslate: FakeLibreTranslate) -> None:
    client = LibreTranslate(fake_libretranslate.url)
    languages = await client.languages()
    assert "sv" in languages["ar"] and "fa" in languages
    assert can_translate(languages, "fa_AF", "sv") and can_translate(languages, "ar", "en")
    assert not any(can_translate(languages, lang, "sv") for lang in ("ti", "ps", "so"))
    out = await client.translate(["مكتبة بعد المدرسة", "ملعب"], "ar", "sv")
    assert out == ["[ar→sv] مكتبة بعد المدرسة", "[ar→sv] ملعب"]
    assert [(r.q, r.source, r.target, r.format) for r in fake_libretranslate.received] == [
        ("مكتبة بعد المدرسة", "ar", "sv", "text"),
        ("ملعب", "ar", "sv", "text"),
    ]


async def test_api_key_required(fake_libretranslate: FakeLibreTranslate) -> None:
    fake_libretranslate.api_keys = {"key-for-tests-only"}
    with pytest.raises(TranslationFailed, match="HTTP 400 Please contact the server operator"):
        await LibreTranslate(fake_libretranslate.url).translate(["hej"], "sv", "en")
    with pytest.raises(TranslationFailed, match="HTTP 403 Invalid API key"):
        await LibreTranslate(fake_libretranslate.url, "wrong").translate(["hej"], "sv", "en")
    assert await LibreTranslate(fake_libretranslate.url, "key-for-tests-only").translate(["hej"], "sv", "en") == [
        "[sv→en] hej"
    ]


@pytest.mark.parametrize(("status", "said"), [(429, "HTTP 429 Slowdown"), (500, "HTTP 500 Cannot translate text")])
async def test_faults_say_what_went_wrong_without_the_text(
    fake_libretranslate: FakeLibreTranslate, status: int, said: str
) -> None:
    fake_libretranslate.fail_next(1, status)
    with pytest.raises(TranslationFailed, match=said) as caught:
        await LibreTranslate(fake_libretranslate.url).translate(["a secret idea"], "en", "sv")
    assert "secret" not in str(caught.value)


async def test_unsupported_language_and_missing_parameter(fake_libretranslate: FakeLibreTranslate) -> None:
    with pytest.raises(TranslationFailed, match="HTTP 400 ti is not supported"):
        await LibreTranslate(fake_libretranslate.url).translate(["ሰላም"], "ti", "sv")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake_libretranslate.url}/translate", json={"source": "en", "target": "sv"}) as resp:
            assert resp.status == 400
            assert await resp.json() == {"error": "Invalid request: missing q parameter"}
        async with http.post(
            f"{fake_libretranslate.url}/translate", data={"q": "hello", "source": "auto", "target": "sv"}
        ) as resp:
            assert await resp.json() == {
                "translatedText": "[en→sv] hello",
                "detectedLanguage": {"confidence": 90.0, "language": "en"},
            }


async def test_slow_and_unreachable(fake_libretranslate: FakeLibreTranslate) -> None:
    fake_libretranslate.slow = 2.0
    with pytest.raises(TranslationFailed, match="no answer in"):
        await LibreTranslate(fake_libretranslate.url, timeout=0.2).translate(["hej"], "sv", "en")
    url = fake_libretranslate.url
    await fake_libretranslate.stop()
    with pytest.raises(TranslationFailed, match="ClientConnectorError"):
        await LibreTranslate(url).languages()
