"""The sentence youth are told about when the team is there, in their language: how soon
inside the hours, the hours and the next time outside them, no promise past closing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.base.settings import LANGUAGES, Settings
from bot.dialogue.staffed import talk_reply, team_line
from bot.i18n import staffed as t
from bot.i18n.catalogs import Catalogs

ROOT = Path(__file__).resolve().parents[3]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SETTINGS = Settings(_env_file=None, staffed_closed_dates=["2026-12-24"])


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(ROOT / "locales", LANGUAGES, default_language="sv")


def test_inside_the_hours_how_soon(catalogs):
    line = team_line(catalogs.translator("en"), SETTINGS, datetime(2026, 12, 2, 10, 0, tzinfo=STOCKHOLM))
    assert line == "Someone from the team is here now and usually answers within 1 hour."


def test_outside_the_hours_the_hours_and_the_next_time(catalogs):
    line = team_line(catalogs.translator("en"), SETTINGS, datetime(2026, 12, 5, 2, 0, tzinfo=STOCKHOLM))
    assert line.startswith("Nobody from the team is here right now. The team reads messages Mon–Fri 9:00")
    assert "Next time: Mon, December 7, 9:00" in line
    sv = team_line(catalogs.translator("sv"), SETTINGS, datetime(2026, 12, 23, 18, 0, tzinfo=STOCKHOLM))
    assert "mån–fre 09:00–17:00" in sv and "fre 25 december" in sv  # the 24th is closed


def test_near_closing_no_promise_past_it(catalogs):
    line = team_line(catalogs.translator("en"), SETTINGS, datetime(2026, 12, 2, 16, 30, tzinfo=STOCKHOLM))
    assert line.startswith("The team is here until 5:00") and "Thu, December 3, 9:00" in line


def test_no_set_times_says_so(catalogs):
    never = Settings(_env_file=None, staffed_hours="")
    assert team_line(catalogs.translator("en"), never, datetime(2026, 12, 2, 10, tzinfo=STOCKHOLM)) == (
        catalogs.translator("en").gettext(t.STAFFED_UNKNOWN)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_its_own_words_and_the_helplines(catalogs, lang):
    tr = catalogs.translator(lang)
    reply = talk_reply(tr, SETTINGS, datetime(2026, 12, 5, 2, 0, tzinfo=STOCKHOLM))
    assert "116 111" in reply and "112" in reply
    for msgid in (t.TALK_SENT, t.STAFFED_NOW, t.STAFFED_CLOSING, t.STAFFED_NEXT, t.STAFFED_UNKNOWN, t.HELP_NOW):
        assert catalogs.has(lang, msgid), (lang, msgid)
        assert lang == "en" or tr.gettext(msgid) != msgid, (lang, msgid)
