"""`python -m bot chat` over a pipe: every shipped flow, and the real bot's pipeline
(helplines for crisis words in the youth's language, the commands, kind replies, the
team's anonymised card). All people and texts are invented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import chat_process, run_chat

ROOT = Path(__file__).resolve().parents[2]

# Inputs per flow; numbers press the numbered buttons.
SCRIPTS = {
    "onboarding": ["3", "1", "2", "/quit"],  # (English from --lang) 16-17, Yes, no contact -> menu
    "share_idea": ["2", "Study buddies for new students", "1", "6", "1"],
    "need": ["4", "/skip", "A summer job", "2"],
    "workshop_feedback": ["1", "oops", "1", "Loved it"],
    "contact_permission": ["2"],
}
ENDINGS = {
    "onboarding": "What would you like to do?",
    "share_idea": "Thank you for sharing your idea!",
    "need": "Thank you for telling us.",
    "workshop_feedback": "See you next time!",
    "contact_permission": "Nobody will ask you.",
}


def chat(args, lines):
    return chat_process("en", lines, args, locales="no-locales")


@pytest.fixture(scope="module")
def words():
    """What the bot says, as the shipped catalogs and crisis word list give it."""
    from bot.i18n.catalogs import Catalogs
    from bot.safeguarding import load_lexicon
    from bot.base.settings import LANGUAGES

    catalogs = Catalogs.load(ROOT / "locales", LANGUAGES, "sv")
    lexicon, problems = load_lexicon(ROOT / "flows" / "safeguarding.yaml", LANGUAGES)
    assert lexicon is not None, problems

    def say(lang, msgid, context=None):
        return catalogs.translator(lang).gettext(msgid, context)

    def helplines(lang):
        *body, _button = lexicon.help_contexts()
        return "\n\n".join(say(lang, msgid, context) for context, msgid, _ in body)

    say.helplines = helplines
    return say


DISTRESS = {
    "sv": "Jag vill dö, ingen bryr sig om mig",
    "ar": "أريد أن أموت، لا أحد يهتم بي",
    "ti": "ክሞት እደሊ እየ፣ ዝግደሶ ሰብ የለን",
}


@pytest.mark.parametrize("lang", sorted(DISTRESS))
def test_crisis_words_get_the_helplines_and_the_question_again(lang, words):
    from bot.i18n import texts

    out = run_chat(lang, [DISTRESS[lang]])
    helplines, age = words.helplines(lang), words(lang, "How old are you?", "onboarding/age")
    assert words(lang, texts.AFTER_HELP) != texts.AFTER_HELP  # really in the youth's language
    assert helplines in out and "116 111" in out
    after = out.split(helplines, 1)[1]
    assert f"{words(lang, texts.AFTER_HELP)}\n{age}" in after  # the open question, asked gently
    for wrong in (words(lang, texts.REASONS["use_buttons"]), texts.REASONS["use_buttons"]):
        assert wrong not in out
    card = out.split("🔴 URGENT — self_harm", 1)[1]  # the team's card: what was written (no name in it)
    assert f"written: {DISTRESS[lang]}" in card


def test_help_and_stop_work_in_the_terminal(words):
    from bot.i18n import replies

    from bot.i18n import promise

    out = run_chat("en", ["/help", "/stop"])
    assert f"{replies.HELP_INTRO}\n\n{promise.HELP_HINT}\n\n{words.helplines('en')}" in out
    assert replies.STOPPED in out and "Please choose one of the buttons" not in out


def test_menu_during_onboarding_waits_for_it_to_finish():
    from bot.i18n import texts

    out = run_chat("en", ["/menu", "3", "1", "2", "/menu"])
    first, rest = out.split(texts.FINISH_ONBOARDING_FIRST, 1)
    assert "Share an idea" not in first and rest.lstrip().startswith("How old are you?")
    assert "profile consent = True" in rest and rest.count("Share an idea") == 2  # then the menu works


def test_the_team_card_is_anonymised():
    idea = "My name is Nardos and you can call me on 070-123 45 67 about study buddies"
    out = run_chat("en", ["1", idea, "1", "6", "1"], ["--flow", "share_idea"])
    card = out.split("the team would see:", 1)[1]
    assert "💡 Share an idea" in card and "[PHONE]" in card and "[NAME]" in card
    assert "Nardos" not in out and "070-123 45 67" not in out


def test_chat_help_lists_the_commands():
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0
    for command in (
        "/start",
        "/menu",
        "/language",
        "/help",
        "/stop",
        "/delete",
        "/mydata",
        "/back",
        "/skip",
        "/quit",
        "--lang",
    ):
        assert command in proc.stdout, command


@pytest.mark.parametrize("flow_id", sorted(SCRIPTS))
def test_chat_completes_each_shipped_flow(flow_id):
    args = [] if flow_id == "onboarding" else ["--flow", flow_id]
    proc = chat(args, SCRIPTS[flow_id])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert ENDINGS[flow_id] in proc.stdout
    if flow_id != "onboarding":
        assert f"end of flow {flow_id}" in proc.stdout


def test_wrong_input_is_answered_kindly():
    proc = chat(["--flow", "workshop_feedback"], ["1", "oops", "/quit"])
    assert "Please write a number" in proc.stdout and proc.returncode == 0


def test_unknown_flow_is_reported():
    proc = chat(["--flow", "nope"], [])
    assert proc.returncode == 1 and "unknown flow 'nope'" in proc.stdout


def test_chat_speaks_the_chosen_language_and_skips_its_question(words):
    age = words("ar", "How old are you?", "onboarding/age")
    assert age != "How old are you?"
    out = run_chat("ar", ["/quit"])
    assert age in out and words("ar", "Hi! Which language do you want to use?", "onboarding/language") not in out
