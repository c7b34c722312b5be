"""Validation of flows/safeguarding.yaml: every mistake at its file:line:col, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.base.problems import Problem
from bot.safeguarding import load_lexicon, parse_lexicon, validate_lexicon
from bot.safeguarding.lexicon import HELP_KEYS, TOP_KEYS
from bot.safeguarding.matcher import CATEGORIES
from bot.base.settings import LANGUAGES
from tests.unit.safeguarding.test_safeguarding_matcher import HELP_YAML

REAL_FILE = Path(__file__).resolve().parents[3] / "flows" / "safeguarding.yaml"


def problems_of(text: str) -> list[str]:
    return [str(p) for p in parse_lexicon(text, "s.yaml")[1]]


def test_the_real_file_is_valid_and_covers_every_language_and_category() -> None:
    lexicon, problems = load_lexicon(REAL_FILE)
    assert problems == []
    assert lexicon is not None
    data = yaml.safe_load(REAL_FILE.read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        assert set(data["phrases"][lang]) == set(CATEGORIES), lang


def test_help_strings_with_stable_contexts_and_lines() -> None:
    lexicon, _ = load_lexicon(REAL_FILE)
    assert lexicon is not None
    contexts = lexicon.help_contexts()
    assert [c for c, _, _ in contexts] == [
        "safeguarding/help/text",
        "safeguarding/help/bris",
        "safeguarding/help/emergency",
        "safeguarding/help/mind",
        "safeguarding/help/healthcare",
        "safeguarding/help/button",
    ]
    lines = REAL_FILE.read_text(encoding="utf-8").splitlines()
    for _, msgid, line in contexts[1:]:  # one-line texts: the msgid stands on its line
        assert msgid in lines[line - 1]
    numbers = " ".join(h.text for h in lexicon.help.helplines)
    for number in ("116 111", "112", "90101", "1177"):
        assert number in numbers
    assert lexicon.help.button_label == "I want to talk to someone now"
    assert lexicon.help.text.startswith("Thank you for telling me.")


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("  en:\n    self_harm:\n      - '* die'\n", "s.yaml:11:10: a phrase cannot start or end"),
        ('  en:\n    self_harm:\n      - "want to * * die"\n', "s.yaml:11:20: two '*' gaps"),
        ("  en:\n    self_harm:\n      - want sj*lv\n", "s.yaml:11:16: '*' can only stand"),
        ("  en:\n    self_harm:\n      - ''\n", "s.yaml:11:10: empty phrase"),
        ("  en:\n    self_harm:\n      - to\n", "s.yaml:11:9: phrase too short"),
        ("  en:\n    self_harm:\n      - 42\n", "s.yaml:11:9: a phrase must be text"),
        ("  en:\n    self_harm: want to die\n", "s.yaml:10:16: 'self_harm' must be a list"),
        (
            "  en:\n    selfharm:\n      - want to die\n",
            "s.yaml:10:5: unknown key 'selfharm' in language 'en' (did you mean 'self_harm'?)",
        ),
        ("  en:\n    violence:\n      - he hits me\n", "s.yaml:10:5: unknown key 'violence' in language 'en'"),
        ("  fa:\n    self_harm:\n      - خودکشی\n", "s.yaml:9:3: unknown language 'fa' (did you mean 'fa_AF'?)"),
        (
            "  en:\n    self_harm:\n      - want to die\n      - Want to  DIIE\n",
            "s.yaml:12:9: duplicate phrase 'Want to  DIIE': the same as line 11 (en/self_harm)",
        ),
        (
            "  en:\n    self_harm:\n      - want to die\n  sv:\n    abuse:\n      - want to die\n",
            "s.yaml:14:9: duplicate phrase 'want to die': the same as line 11 (en/self_harm)",
        ),
        ("  - en\n", "s.yaml:9:3: 'phrases' must map languages"),
    ],
)
def test_phrase_problems_at_their_position(snippet: str, expected: str) -> None:
    found = problems_of(HELP_YAML + "phrases:\n" + snippet)
    assert any(p.startswith(expected) for p in found), found


def test_top_level_and_help_problems() -> None:
    assert problems_of("helpp: {}\nphrases: {}\n") == [
        "s.yaml:1:1: 'help' is missing: the message, helplines and button shown in a crisis",
        "s.yaml:1:1: unknown key 'helpp' in the safeguarding file (did you mean 'help'?)",
    ]
    bad_help = (
        "help:\n  txt: hi\n  helplines:\n    - id: Bris\n      text: x\n    - id: a\n"
        "      text: y\n    - id: a\n      text: z\n  button:\n    label: " + "x" * 41 + "\nphrases: {}\n"
    )
    assert problems_of(bad_help) == [
        "s.yaml:2:3: help 'text' is missing",
        "s.yaml:2:3: unknown key 'txt' in 'help' (did you mean 'text'?)",
        "s.yaml:4:11: helpline 'id' must be a lower-case name like 'bris' (letters, digits, _; "
        "not 'text' or 'button'): it names the translation context",
        "s.yaml:8:11: duplicate helpline id 'a' (also at line 6)",
        "s.yaml:11:12: button 'label' is 41 characters; at most 40",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "s.yaml:1:1: the safeguarding file must be a mapping with keys: help, phrases"),
        ("help: [1]\nphrases: {}\n", "s.yaml:1:7: 'help' must be a mapping with keys: text, helplines, button"),
        ("a: *b\n", "s.yaml:1:4: anchors and aliases are not allowed"),
        ("help: {}\nhelp: {}\n", "s.yaml:2:1: duplicate key 'help'"),
    ],
)
def test_unusable_files_give_no_lexicon(text: str, expected: str) -> None:
    lexicon, problems = parse_lexicon(text, "s.yaml")
    assert lexicon is None
    assert expected in [str(p) for p in problems]


def test_broken_phrases_are_reported_and_the_rest_still_match() -> None:
    lexicon, problems = parse_lexicon(
        HELP_YAML + "phrases:\n  en:\n    self_harm:\n      - '* die'\n      - want to die\n", "s.yaml"
    )
    assert len(problems) == 1
    assert lexicon is not None and lexicon.match("I want to die") is not None


def test_unreadable_files(tmp_path: Path) -> None:
    assert [str(p) for p in validate_lexicon(tmp_path / "nope.yaml")][0].startswith(
        f"{tmp_path / 'nope.yaml'}:1:1: cannot read file"
    )
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("help: sjalvmord \xe5".encode("latin-1"))
    assert [str(p) for p in validate_lexicon(latin1)] == [f"{latin1}:1:1: file is not UTF-8 text (byte 16)"]


# -- fuzzing: whatever an admin types, problems come back, never an exception --------

_words = st.sampled_from(
    [*TOP_KEYS, *HELP_KEYS, *CATEGORIES, *LANGUAGES, "id", "label", "bris", "*", "want * die", "a|b", "x*"]
)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12), _words)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(_words, st.text(max_size=5)), inner, max_size=4)
    ),
    max_leaves=25,
)


def _check(problems: list[Problem]) -> None:
    for p in problems:
        assert isinstance(p, Problem) and p.line >= 1 and p.col >= 1 and p.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_data)
def test_fuzz_structures(data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    _check(parse_lexicon(text, "s.yaml")[1])


# The help block and the English phrases: every kind of node, and fast to re-parse.
_REAL = REAL_FILE.read_text(encoding="utf-8").split("\n  sv:\n")[0]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, len(_REAL)),
    st.integers(0, 40),
    st.text(alphabet=st.sampled_from(list(":-*|'\"#{}[]& \n\tx\u200b")), max_size=6),
)
def test_fuzz_edits_of_the_real_file(at: int, cut: int, insert: str) -> None:
    _check(parse_lexicon(_REAL[:at] + insert + _REAL[at + cut :], "s.yaml")[1])


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_any_text(text: str) -> None:
    _check(parse_lexicon(text, "s.yaml")[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab ö*|-'!\u200b")), max_size=12), max_size=6))
def test_fuzz_phrases(phrases: list[str]) -> None:
    body = "".join(f"      - {yaml.safe_dump(p, allow_unicode=True).splitlines()[0]}\n" for p in phrases)
    text = HELP_YAML + "phrases:\n  en:\n    abuse:\n" + (body or "      []\n")
    lexicon, problems = parse_lexicon(text, "s.yaml")
    _check(problems)
    assert lexicon is not None


def test_a_ninth_language_is_a_setting_not_code() -> None:
    source = REAL_FILE.read_text(encoding="utf-8") + "  de:\n    self_harm:\n      - mich umbringen\n"
    line = source.count("\n") - 2
    assert problems_of(source) == [f"s.yaml:{line}:3: unknown language 'de'"]
    lexicon, problems = parse_lexicon(source, "s.yaml", [*LANGUAGES, "de"])
    assert problems == [] and lexicon is not None
    assert lexicon.match("ich will mich umbringen").category == "self_harm"
