"""When the team is there: weekly staffed hours in one time zone, minus closed dates.

Pure: no clock of its own (the caller passes `now`, an aware datetime). The weekly
hours are written as in the STAFFED_HOURS setting: `mon-fri 09:00-17:00; sat 10:00-14:00`
(groups joined by `;`, days as `mon`, `mon-fri` or `mon,wed`, one time span each).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPAN = re.compile(r"(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})")
LOOK_AHEAD_DAYS = 400  # beyond a year of closed dates, nobody is coming


@dataclass(frozen=True)
class Span:
    """One group of the weekly hours: these weekdays (0 = Monday), from start to end."""

    days: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class StaffedHours:
    spans: tuple[Span, ...]
    zone: ZoneInfo
    closed: frozenset[date] = field(default_factory=frozenset)

    def is_open(self, now: datetime) -> bool:
        return self.open_until(now) is not None

    def open_until(self, now: datetime) -> datetime | None:
        """When the current staffed time ends; None when nobody is there now."""
        local = now.astimezone(self.zone)
        if local.date() in self.closed:
            return None
        ends = [
            datetime.combine(local.date(), sp.end, self.zone)
            for sp in self.spans
            if local.weekday() in sp.days and sp.start <= local.time().replace(tzinfo=None) < sp.end
        ]
        return max(ends) if ends else None

    def next_opening(self, now: datetime) -> datetime | None:
        """The next start of a staffed time after `now` (in the hours' zone); None if none is coming."""
        local = now.astimezone(self.zone)
        for offset in range(LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            if day in self.closed:
                continue
            starts = sorted(datetime.combine(day, sp.start, self.zone) for sp in self.spans if day.weekday() in sp.days)
            for start in starts:
                if start > local:
                    return start
        return None


def parse_hours(text: str) -> tuple[Span, ...]:
    """The spans of a STAFFED_HOURS value; ValueError says exactly what is wrong."""
    spans = []
    for group in (g.strip().lower() for g in text.split(";")):
        if not group:
            continue
        m = SPAN.fullmatch(group)
        if m is None:
            raise ValueError(f"'{group}' is not like 'mon-fri 09:00-17:00'")
        start, end = _time(m["start"]), _time(m["end"])
        if end <= start:
            raise ValueError(f"'{group}': the end {m['end']} is not after the start {m['start']}")
        spans.append(Span(_days(m["days"], group), start, end))
    return tuple(spans)


def _time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"'{text}' is not a time of day (00:00 to 23:59)")
    return time(hours, minutes)


def _days(text: str, group: str) -> tuple[int, ...]:
    days: list[int] = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"'{group}': days are written {', '.join(DAYS)}, e.g. 'mon-fri' or 'sat,sun'")
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            raise ValueError(f"'{group}': '{item}' runs backwards (write e.g. 'mon-fri')")
        days += [d for d in range(a, b + 1) if d not in days]
    return tuple(days)
