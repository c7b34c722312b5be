"""Rendering events into messages: merging, buttons, translation and safe placeholders."""
from __future__ import annotations

from bot import texts
from bot.engine.events import Ask, End, Reask, Say, Stale
from bot.render import language_name, render, text_of


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
        Ask(ask=4, step="q", kind="choice", msgid="Pick one", context="f/q",
            choices=(("a", "Apple", "f/q/a"), ("b", "Pear", "f/q/b")), optional=True),
    ]
    [msg] = render(events)
    assert msg.text == "Hi!\nWelcome.\nPick one"
    assert msg.buttons == [[("Apple", "4:0")], [("Pear", "4:1")], [(texts.SKIP, "4:3")]]


def test_multi_shows_selection_and_done_and_update_edits():
    ask = Ask(ask=2, step="q", kind="multi", msgid="Who?", context="f/q",
              choices=(("me", "Me", "f/q/me"), ("you", "You", "f/q/you")), selected=("you",), update=True)
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


def test_language_buttons_show_native_names():
    ask = Ask(ask=1, step="", kind="language", msgid=texts.LANGUAGE_PROMPT,
              choices=(("sv", "sv", None), ("fa_AF", "fa_AF", None), ("ar", "ar", None)))
    [msg] = render([ask])
    labels = [label for row in msg.buttons for label, _ in row]
    assert labels == ["Svenska", "دری", language_name("ar")] and language_name("ar") != "ar"


def test_long_text_is_split_below_the_telegram_limit():
    out = render([Say("a" * 3000), Say("b" * 3000)])
    assert [len(m.text) for m in out] == [3000, 3000]
