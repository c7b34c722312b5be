"""Rendering events into messages: merging, buttons, translation and safe placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import texts
from bot.engine.events import Ask, End, Reask, Say, Stale
from bot.i18n.catalogs import FSI, PDI, Catalogs
from bot.dialogue.render import language_name, render, text_of
from bot.base.settings import LANGUAGES

LOCALES = Path(__file__).resolve().parents[3] / "locales"
IDEA = ("{topic} – good choice!", "share_idea/idea")


@pytest.fixture(scope="module")
def catalogs():
    return Catalogs.load(LOCALES, LANGUAGES, "sv")


class Pirate:
    """A tiny translator, as bot.i18n's would behave."""

    def __init__(self, table):
        self.table = table

    def gettext(self, msgid, context=None):
        return self.table.get((context, msgid), msgid)


def test_says_and_the_following_ask_merge_into_one_message_with_buttons():
    events = [
        Say("Hi!", "f/a"),
        Say("Welcome.", "f/a"),
        Ask(
            ask=4,
            step="q",
            kind="choice",
            msgid="Pick one",
            context="f/q",
            choices=(("a", "Apple", "f/q/a"), ("b", "Pear", "f/q/b")),
            optional=True,
        ),
    ]
    [msg] = render(events)
    assert msg.text == "Hi!\nWelcome.\nPick one"
    assert msg.buttons == [[("Apple", "4:0")], [("Pear", "4:1")], [(texts.SKIP, "4:3")]]


def test_multi_shows_selection_and_done_and_update_edits():
    ask = Ask(
        ask=2,
        step="q",
        kind="multi",
        msgid="Who?",
        context="f/q",
        choices=(("me", "Me", "f/q/me"), ("you", "You", "f/q/you")),
        selected=("you",),
        update=True,
    )
    [msg] = render([ask])
    assert msg.edit_of == 2
    assert msg.buttons == [[("Me", "2:0")], [("✅ You", "2:1")], [(texts.DONE, "2:2")]]


def test_placeholders_are_filled_after_translation_with_translated_labels():
    tr = Pirate({("f/q", "About {topic}"): "Om {topic}", ("f/a/school", "School"): "Skola"})
    params = {"topic": {"msgid": "School", "context": "f/a/school"}}
    assert text_of("About {topic}", "f/q", params, tr) == "Om Skola"


def test_bad_translation_placeholder_falls_back_to_source():
    tr = Pirate({("f/q", "About {topic}"): "Om {ämne.__class__}", ("f/r", "Hi {x}"): "Hej {x"})
    assert text_of("About {topic}", "f/q", {"topic": "work"}, tr) == "About work"
    assert text_of("Hi {x}", "f/r", {"x": "you"}, tr) == "Hi you"
    assert text_of("Hi {missing}", "f/r", {}, tr) == f"Hi {texts.ANSWER_SKIPPED}"


def test_reask_after_three_tries_offers_skip_and_menu():
    [msg] = render([Reask("too_short", {"min": 10}, True, ask=7, n_choices=0)])
    assert "at least 10 characters" in msg.text
    assert msg.buttons == [[(texts.SKIP, "7:1"), (texts.MENU, "7:2")]]


def test_end_text_and_stale_notice():
    out = render([End("f", "Bye!", "f/end"), Stale(3)])
    assert [m.text for m in out] == ["Bye!", texts.STALE]


LANGUAGE_ASK = Ask(
    ask=1,
    step="",
    kind="language",
    msgid=texts.LANGUAGE_PROMPT,
    choices=(("sv", "sv", None), ("fa_AF", "fa_AF", None), ("ar", "ar", None)),
)


def labels_of(msg):
    return [label for row in msg.buttons for label, _ in row]


def test_language_buttons_show_native_names():
    [msg] = render([LANGUAGE_ASK], Pirate({}))
    assert labels_of(msg) == ["Svenska", "دری", language_name("ar")] and language_name("ar") == "العربية"


def test_language_picker_marks_the_language_in_use_and_takes_settings_names(catalogs):
    [msg] = render([LANGUAGE_ASK], catalogs.translator("ar"), language_names={"sv": "Svenska (Sverige)"})
    # the settings' names replace the defaults: Dari gets CLDR's name here
    assert labels_of(msg) == ["Svenska (Sverige)", language_name("fa_AF", {}), "✅ العربية"]
    assert language_name("fa_AF", {}) != language_name("fa_AF")
    assert [data for row in msg.buttons for _, data in row] == ["1:0", "1:1", "1:2"]  # order and data kept


def test_rtl_values_are_isolated_in_translated_text(catalogs):
    ar = catalogs.translator("ar")
    typed = text_of(*IDEA, {"topic": "Homework club"}, ar)
    assert typed.startswith(f"{FSI}Homework club{PDI}")
    assert typed.replace(f"{FSI}Homework club{PDI}", "{topic}") == ar.gettext(*IDEA)
    chosen = text_of(*IDEA, {"topic": {"msgid": "Work 💼", "context": "share_idea/area/work"}}, ar)
    assert chosen.startswith(f"{FSI}{ar.gettext('Work 💼', 'share_idea/area/work')}{PDI}")
    [msg] = render([Reask("out_of_range", {"min": 1, "max": 50}, False, ask=3)], ar)
    assert f"{FSI}1{PDI}" in msg.text and f"{FSI}50{PDI}" in msg.text


def test_ltr_text_isolates_only_right_to_left_values_and_formats_numbers_and_lists(catalogs):
    sv = catalogs.translator("sv")
    assert text_of(*IDEA, {"topic": "Läxhjälp"}, sv).startswith("Läxhjälp ")
    assert text_of(*IDEA, {"topic": "مساعدة"}, sv).startswith(f"{FSI}مساعدة{PDI} ")
    assert text_of("At least {min}", None, {"min": 1500}, sv) == "At least 1\xa0500"
    both = [
        {"msgid": "Me", "context": "share_idea/who/me"},
        {"msgid": "Families", "context": "share_idea/who/families"},
    ]
    me, families = sv.gettext("Me", "share_idea/who/me"), sv.gettext("Families", "share_idea/who/families")
    assert text_of("For {who}", None, {"who": both}, sv) == f"For {me} och {families}"


def test_a_broken_arabic_translation_still_isolates_in_the_source_fallback(catalogs):
    class BrokenArabic:
        locale = catalogs.translator("ar").locale

        def gettext(self, msgid, context=None):
            return "{موضوع"

    assert text_of(*IDEA, {"topic": "work"}, BrokenArabic()) == f"{FSI}work{PDI} – good choice!"


def test_long_text_is_split_below_the_telegram_limit():
    out = render([Say("a" * 3000), Say("b" * 3000)])
    assert [len(m.text) for m in out] == [3000, 3000]
