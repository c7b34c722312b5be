"""The phrase syntax, severity, and the Match the adapter receives."""

from __future__ import annotations

import dataclasses

import pytest

from bot.safeguarding import CATEGORIES, Lexicon, parse_lexicon
from bot.safeguarding.matcher import PhraseError, compile_phrase

HELP_YAML = """\
help:
  text: We are here.
  helplines:
    - id: bris
      text: BRIS 116 111
  button:
    label: Talk to a person
"""


def make_lexicon(phrases_yaml: str) -> Lexicon:
    """A lexicon from a `phrases:` block (indented two spaces per level), which must be valid."""
    lexicon, problems = parse_lexicon(HELP_YAML + "phrases:\n" + phrases_yaml, "test.yaml")
    assert problems == []
    assert lexicon is not None
    return lexicon


def one(phrase: str, category: str = "self_harm", lang: str = "en") -> Lexicon:
    quoted = phrase.replace('"', '\\"')
    return make_lexicon(f'  {lang}:\n    {category}:\n      - "{quoted}"\n')


@pytest.mark.parametrize(
    ("phrase", "text", "hit"),
    [
        ("want to die", "I want to die", True),
        ("want to die", "i WANT to diiie.", True),
        ("want to die", "I want to dine", False),  # whole words only
        ("want to die", "unwant to die", False),
        ("want to * die", "want to die", True),  # the gap may be empty
        ("want to * die", "want to just die", True),
        ("want to * die", "want to really just die", True),
        ("want to * die", "want to really really just die", False),  # at most 2 words
        ("självmord*", "självmordstankar", True),
        ("självmord*", "självmord", True),
        ("självmord*", "ett självmordsförsök", True),
        ("självmord*", "antisjälvmord", False),
        ("*انتحار", "بالانتحار", True),
        ("*انتحار", "انتحاري", False),
        ("*غتصب*", "اغتصبني", True),
        ("hits|beats me", "he beats me", True),
        ("hits|beats me", "he hits me", True),
        ("hits|beats me", "he kicks me", False),
        ("self-harm", "self harm", True),  # punctuation in a phrase separates words too
        ("dont want to live", "I don't want to live", True),
        ("kill myself", "kill my self", False),
    ],
)
def test_phrase_syntax(phrase: str, text: str, hit: bool) -> None:
    assert (one(phrase).match(text) is not None) is hit


def test_every_language_is_matched_whatever_the_language_of_the_message() -> None:
    lexicon = make_lexicon("  sv:\n    self_harm:\n      - vill dö\n  ar:\n    abuse:\n      - يضربني\n")
    found = lexicon.match("hi, I'm fine but jag vill dö")
    assert found is not None and found.language == "sv"
    found = lexicon.match("Hej! أبي يضربني")
    assert found is not None and (found.category, found.language) == ("abuse", "ar")


def test_most_severe_category_wins_wherever_it_stands() -> None:
    lexicon = make_lexicon(
        "  en:\n"
        "    hunger_homeless:\n      - nothing to eat\n"
        "    abuse:\n      - he hits me\n"
        "    self_harm:\n      - want to die\n"
    )
    found = lexicon.match("nothing to eat, he hits me and I want to die")
    assert found is not None and found.category == "self_harm"
    found = lexicon.match("nothing to eat and he hits me")
    assert found is not None and found.category == "abuse"
    assert CATEGORIES[0] == "self_harm"


def test_match_names_the_phrase_never_the_message() -> None:
    lexicon = make_lexicon("  en:\n    abuse:\n      - first phrase\n      - he hits me\n")
    found = lexicon.match("Amira says: he hits me")
    assert found is not None
    assert (found.phrase_id, found.line) == ("en/abuse/1", 12)
    assert "Amira" not in repr(found)
    assert {f.name for f in dataclasses.fields(found)} == {"category", "language", "phrase_id", "line"}


def test_nothing_matches_in_ordinary_or_empty_text() -> None:
    lexicon = one("want to die")
    for text in ("", "   ", "\u200b", "hello", "😀"):
        assert lexicon.match(text) is None


@pytest.mark.parametrize(
    ("phrase", "offset", "words"),
    [
        ("* die", 0, "start or end"),
        ("want to *", 8, "start or end"),
        ("want * * die", 7, "two '*' gaps"),
        ("sj*lv", 2, "start or end of a word"),
        ("**självmord", 0, "'**'"),
        ("hits||beats me", 5, "empty alternative"),
        ("|hits me", 0, "empty alternative"),
        ("hits|* me", 5, "lone '*'"),
        ("ab*", 0, "at least 3 letters"),
        ("to", 0, "too short"),
        ("!!! die", 0, "no letters"),
        ("", 0, "empty"),
    ],
)
def test_bad_phrases_say_where(phrase: str, offset: int, words: str) -> None:
    with pytest.raises(PhraseError) as err:
        compile_phrase(phrase)
    assert err.value.offset == offset
    assert words in err.value.message


def test_equal_phrases_compile_equal() -> None:
    assert compile_phrase("Självmord*").regex == compile_phrase("sjalvmord*").regex
    assert compile_phrase("kill  myself").regex == compile_phrase("KILLL myself").regex


@pytest.mark.parametrize(
    ("text", "safe_word", "expected"),
    [
        ("paraply", "paraply", True),
        ("  PARAPLY! ", "paraply", True),
        ("/paraply", "Paraply", True),
        ("pa\u200braply", "paraply", True),
        ("jag har ett paraply", "paraply", False),  # the whole message, not a word in it
        ("paraply", None, False),
        ("paraply", "", False),
        ("", "!!!", False),  # a safe word with no letters never matches
    ],
)
def test_safe_word(text: str, safe_word: str | None, expected: bool) -> None:
    assert one("want to die").is_safe_word(text, safe_word) is expected
