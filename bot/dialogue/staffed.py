"""The honest sentence about when a person from the team is there, in the youth's
language: inside the staffed hours how soon, outside them the next staffed time.
Never a promise the hours do not keep (bot.base.staffed_hours computes them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_skeleton, format_time, format_timedelta, get_day_names

from bot.base.settings import Settings
from bot.base.staffed_hours import Span
from bot.i18n import staffed as t
from bot.i18n.catalogs import Translator


def team_line(tr: Translator, settings: Settings, now: datetime) -> str:
    hours = settings.staffed
    until = hours.open_until(now)
    within = timedelta(minutes=settings.staffed_answer_minutes)
    upcoming = hours.next_opening(now)
    if until is not None and (until - now >= within or upcoming is None):
        return tr.format(t.STAFFED_NOW, within=format_timedelta(within, locale=tr.locale))
    if upcoming is None:
        return tr.gettext(t.STAFFED_UNKNOWN)
    if until is not None:
        return tr.format(t.STAFFED_CLOSING, until=_time(tr, until), next=_moment(tr, upcoming))
    week = ", ".join(_span(tr, sp) for sp in hours.spans)
    return tr.format(t.STAFFED_NEXT, hours=week, next=_moment(tr, upcoming))


def talk_reply(tr: Translator, settings: Settings, now: datetime) -> str:
    """What a youth who asked for a person is told."""
    return "\n\n".join([tr.gettext(t.TALK_SENT), team_line(tr, settings, now), tr.gettext(t.HELP_NOW)])


def _time(tr: Translator, when: datetime) -> str:
    return format_time(when.timetz().replace(tzinfo=None), "short", locale=tr.locale)


def _moment(tr: Translator, when: datetime) -> str:
    pattern = str(tr.locale.datetime_formats.get("medium", "{1} {0}"))
    day = format_skeleton("MMMMEEEEd", when.replace(tzinfo=None), locale=tr.locale)
    return pattern.replace("{1}", day).replace("{0}", _time(tr, when))


def _span(tr: Translator, sp: Span) -> str:
    names = get_day_names("abbreviated", locale=tr.locale)
    consecutive = len(sp.days) > 2 and list(sp.days) == list(range(sp.days[0], sp.days[-1] + 1))
    days = f"{names[sp.days[0]]}–{names[sp.days[-1]]}" if consecutive else ", ".join(names[d] for d in sp.days)
    start = format_time(sp.start, "short", locale=tr.locale)
    end = format_time(sp.end, "short", locale=tr.locale)
    return f"{days} {start}–{end}"
