"""Staffed hours: reading STAFFED_HOURS, "open now?" and "next opening" across days,
closed dates, time zones and summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.base.settings import Settings
from bot.base.staffed_hours import Span, StaffedHours, parse_hours

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=STOCKHOLM)


def hours(text: str = "mon-fri 09:00-17:00", closed: tuple[date, ...] = ()) -> StaffedHours:
    return StaffedHours(parse_hours(text), STOCKHOLM, frozenset(closed))


def test_parse_days_ranges_lists_and_groups():
    assert parse_hours("mon-fri 09:00-17:00; sat,sun 10:00-14:30") == (
        Span((0, 1, 2, 3, 4), time(9), time(17)),
        Span((5, 6), time(10), time(14, 30)),
    )
    assert parse_hours("") == () and parse_hours("  Wed 8:00 - 12:00 ;") == (Span((2,), time(8), time(12)),)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("weekdays 9-17", "is not like"),
        ("mon-fri 17:00-09:00", "is not after the start"),
        ("fri-mon 09:00-17:00", "runs backwards"),
        ("mon-fry 09:00-17:00", "days are written"),
        ("mon 25:00-26:00", "is not a time of day"),
    ],
)
def test_unreadable_hours_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_hours(text)
    with pytest.raises(ValidationError, match=says):
        Settings(_env_file=None, staffed_hours=text)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="is not a time zone name"):
        Settings(_env_file=None, staffed_time_zone="Europe/Stokholm")


def test_open_inside_the_hours_only():
    h = hours()
    assert h.is_open(at(2026, 12, 2, 9, 0)) and h.open_until(at(2026, 12, 2, 16, 59)) == at(2026, 12, 2, 17)
    assert not h.is_open(at(2026, 12, 2, 17, 0)) and not h.is_open(at(2026, 12, 2, 8, 59))
    assert not h.is_open(at(2026, 12, 5, 12, 0))  # a Saturday


def test_next_opening_over_the_weekend_and_closed_dates():
    h = hours()
    assert h.next_opening(at(2026, 12, 5, 2, 0)) == at(2026, 12, 7, 9, 0)  # Saturday night -> Monday
    assert h.next_opening(at(2026, 12, 2, 10, 0)) == at(2026, 12, 3, 9, 0)  # open now -> the next start
    christmas = hours(closed=(date(2026, 12, 24), date(2026, 12, 25)))
    assert not christmas.is_open(at(2026, 12, 24, 10, 0))
    assert christmas.next_opening(at(2026, 12, 23, 18, 0)) == at(2026, 12, 28, 9, 0)


def test_the_clock_in_another_zone_is_read_in_the_hours_zone():
    h = hours()
    assert h.is_open(datetime(2026, 7, 1, 7, 30, tzinfo=UTC))  # 09:30 in Stockholm's summer time
    assert not h.is_open(datetime(2026, 12, 2, 7, 30, tzinfo=UTC))  # 08:30 in winter
    assert h.next_opening(datetime(2026, 12, 2, 7, 30, tzinfo=UTC)) == at(2026, 12, 2, 9, 0)


def test_no_hours_or_every_day_closed_is_never_open():
    assert hours("").next_opening(at(2026, 12, 2, 10)) is None and not hours("").is_open(at(2026, 12, 2, 10))
    settings = Settings(_env_file=None, staffed_closed_dates=["2026-12-24"])
    assert settings.staffed.closed == frozenset({date(2026, 12, 24)})
    assert settings.staffed.zone == STOCKHOLM
