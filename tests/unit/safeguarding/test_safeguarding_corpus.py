"""The real word list against per-language crisis and ordinary sentences.

Each language has must-trigger messages (with the expected category, obfuscated
spellings included) and must-not-trigger everyday messages. The false-alarm rate on
ordinary text (ours plus the shared tests/corpus/ordinary.yaml) is printed and must
stay under 2%.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safeguarding import CATEGORIES, Lexicon, load_lexicon
from bot.base.settings import LANGUAGES

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus" / "safeguarding"
SHARED_ORDINARY = ROOT / "tests" / "corpus" / "ordinary.yaml"
MAX_FALSE_ALARM_RATE = 0.02


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex, problems = load_lexicon(ROOT / "flows" / "safeguarding.yaml")
    assert problems == [] and lex is not None
    return lex


@cache
def corpus(lang: str) -> dict:
    return yaml.safe_load((CORPUS / f"{lang}.yaml").read_text(encoding="utf-8"))


def triggers(lang: str) -> list[tuple[str, str]]:
    return [next(iter(item.items())) for item in corpus(lang)["trigger"]]


ALL_TRIGGERS = [text for lang in LANGUAGES for _, text in triggers(lang)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_corpus_is_big_enough(lang: str) -> None:
    found = triggers(lang)
    assert len(found) >= 12
    assert {cat for cat, _ in found} == set(CATEGORIES)
    assert len(corpus(lang)["ordinary"]) >= 25


@pytest.mark.parametrize("lang", LANGUAGES)
def test_crisis_messages_trigger_with_their_category(lang: str) -> None:
    wrong = []
    for category, text in triggers(lang):
        found = lexicon().match(text)
        if found is None or found.category != category:
            wrong.append((category, text, found and found.phrase_id))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ordinary_messages_do_not_trigger(lang: str) -> None:
    alarms = [(text, m.phrase_id) for text in corpus(lang)["ordinary"] if (m := lexicon().match(text))]
    assert alarms == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_accepted_idioms_do_trigger(lang: str) -> None:
    """Idioms we chose to answer with help (see the `# idiom:` comments in the YAML)."""
    silent = [text for text in corpus(lang).get("accepted_false_alarms") or [] if lexicon().match(text) is None]
    assert silent == []


def ordinary_sentences() -> dict[str, list[str]]:
    sets = {f"own {lang}": corpus(lang)["ordinary"] for lang in LANGUAGES}
    if SHARED_ORDINARY.exists():
        shared = yaml.safe_load(SHARED_ORDINARY.read_text(encoding="utf-8")) or {}
        for lang, items in shared.items():
            sets[f"shared {lang}"] = [t for t in items if isinstance(t, str)]
    return sets


def test_false_alarm_rate_on_ordinary_text(capsys: pytest.CaptureFixture[str]) -> None:
    sets = ordinary_sentences()
    total = sum(len(items) for items in sets.values())
    alarms = {name: sum(lexicon().match(t) is not None for t in items) for name, items in sets.items()}
    rate = sum(alarms.values()) / total
    with capsys.disabled():
        print(f"\nsafeguarding false alarms on ordinary text: {sum(alarms.values())}/{total} = {rate:.2%}")
        for name, items in sets.items():
            print(f"  {name:12} {alarms[name]}/{len(items)}")
        accepted = [t for lang in LANGUAGES for t in corpus(lang).get("accepted_false_alarms") or []]
        print(f"  accepted everyday idioms that show help on purpose: {len(accepted)}")
    assert total >= 25 * len(LANGUAGES)
    assert rate < MAX_FALSE_ALARM_RATE


def test_mixed_languages_in_one_message() -> None:
    found = lexicon().match("Hej! Skolan är bra men أريد أن أموت")
    assert found is not None and (found.category, found.language) == ("self_harm", "ar")
    found = lexicon().match("I like football. Мене б'ють вдома")
    assert found is not None and found.category == "abuse"


# -- obfuscation: noise that must never hide a crisis message ------------------------

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f", "\u00ad", "\u2066", "\u2069"]
TASHKEEL = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "ـ"]


def _letter_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch.isalpha()]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_TRIGGERS), st.data())
def test_invisible_characters_and_repeated_letters_do_not_hide_a_crisis(text: str, data: st.DataObject) -> None:
    expected = lexicon().match(text)
    noisy = list(text)
    for i in sorted(data.draw(st.lists(st.sampled_from(_letter_positions(text)), max_size=4)), reverse=True):
        extra = data.draw(st.sampled_from(INVISIBLE + [noisy[i] * 2, noisy[i].upper()]))
        noisy.insert(i + 1, extra)
    found = lexicon().match("".join(noisy))
    assert found is not None and expected is not None and found.category == expected.category


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([t for t in ALL_TRIGGERS if any("\u0600" <= c <= "\u06ff" for c in t)]), st.data())
def test_tashkeel_tatweel_and_letter_forms_do_not_hide_a_crisis(text: str, data: st.DataObject) -> None:
    expected = lexicon().match(text)
    swap = str.maketrans({"ی": "ي", "ي": "ی", "ک": "ك", "ك": "ک", "ه": "ة"})
    noisy = list(text.translate(swap) if data.draw(st.booleans()) else text)
    for i in sorted(data.draw(st.lists(st.sampled_from(_letter_positions(text)), max_size=4)), reverse=True):
        noisy.insert(i + 1, data.draw(st.sampled_from(TASHKEEL)))
    found = lexicon().match("".join(noisy))
    assert found is not None and expected is not None and found.category == expected.category


@given(st.text())
def test_any_text_is_matched_without_error(text: str) -> None:
    lexicon().match(text)
