"""The pure side of translations (bot/forwarding/translations.py) and the card's block:
language codes, what is sent, cache keys, backoff, and what the card says."""

from __future__ import annotations

from types import SimpleNamespace

from bot.engine.load import parse_flow_text
from bot.forwarding.cards import CARD_MAX, card_text
from bot.forwarding.translations import (
    backoff,
    can_translate,
    card_block,
    provider_code,
    source_language,
    text_hash,
    texts_of,
    written_answers,
)

FLOW = """\
id: idea
title: Idea
start: topic
expires_after: 3d
steps:
  - {id: topic, type: choice, text: Topic?, save: topic, next: name, choices: [{id: school, label: School}]}
  - {id: name, type: text, text: Name?, save: name, asks_name: true, next: idea}
  - {id: idea, type: text, text: Idea?, save: idea, next: end}
  - {id: end, type: end, text: Thanks}
"""
LANGUAGES = {"ar": frozenset({"sv", "en"}), "fa": frozenset({"sv"}), "sv": frozenset({"en"})}


def test_codes_and_what_the_provider_lacks():
    assert [provider_code(c) for c in ("fa_AF", "sv", "ar", "ti")] == ["fa", "sv", "ar", "ti"]
    assert can_translate(LANGUAGES, "fa_AF", "sv") and can_translate(LANGUAGES, "ar", "en")
    assert not can_translate(LANGUAGES, "fa_AF", "en")  # a pair it lacks
    assert not can_translate(LANGUAGES, "ti", "sv") and not can_translate({}, "ar", "sv")


def test_only_written_answers_are_sent():
    flow, problems = parse_flow_text(FLOW, "idea.yaml")
    assert flow is not None, problems
    written = written_answers(flow)
    assert written == {"idea"}
    answers = {"topic": "school", "name": "[NAME]", "idea": "ملعب", "who": ["friends"]}
    assert texts_of(answers, written) == {"idea": "ملعب"}
    assert texts_of({"idea": "  ", "other": "x", "n": 3}, None) == {"other": "x"}  # flow not known


def test_source_hash_and_backoff():
    assert source_language(SimpleNamespace(language="en", detected_language="ar")) == "ar"
    assert source_language(SimpleNamespace(language="ti", detected_language=None)) == "ti"
    assert text_hash("a", "ar", "sv") != text_hash("a", "ar", "en") and len(text_hash("a", "ar", "sv")) == 64
    assert [backoff(n) for n in (0, 1, 2, 3, 20)] == [1, 2, 4, 8, 300]


def row(kind, target, text, *, by=None, provider="libretranslate"):
    return SimpleNamespace(kind=kind, source="ar", target=target, text=text, by=by, provider=provider)


def test_card_block_human_first_and_labels():
    block = card_block(
        [row("human", "sv", "Mänsklig", by="Stina"), row("machine", "sv", "Maskin"), row("machine", "sv", "Äldre")],
        [("ar", "sv", "done"), ("ar", "en", "pending")],
    )
    assert block.splitlines() == [
        "🌐 ar→sv · human (by Stina):",
        "Mänsklig",
        "🌐 ar→sv · machine (libretranslate):",
        "Maskin",
        "🌐 ar→en: machine translation on its way",
    ]
    assert card_block([], [("ti", "sv", "unsupported")]) == (
        "🌐 ti→sv: no machine translation — reply /tr <text> to add one"
    )
    assert "no machine translation" not in card_block([row("human", "sv", "x", by="A")], [("ti", "sv", "unsupported")])


def test_a_long_card_with_its_translation_stays_one_message():
    sub = SimpleNamespace(
        id=7,
        answers={"idea": "ب" * 3000},
        urgent=False,
        participant_pseudonym="Calm Heron",
        language="ar",
        detected_language=None,
        source=None,
        status="new",
        status_by=None,
        category=None,
    )
    text = card_text(sub, "Share an idea", "🌐 ar→sv · machine (x):\n" + "ord " * 900)
    assert len(text) <= CARD_MAX and text.endswith("\n#7") and "🌐 ar→sv" in text
