"""What a new campaign must be, whoever composes it (the dashboard, the command line):
an existing flow, configured languages and age bands, a schedule not in the past, an
audience that is not empty. `check` says exactly what is wrong; callers create nothing
until it passes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


MIN_CHOICES = 2  # a one-question campaign's choices (bot/dialogue/campaign_question.py)
MAX_CHOICES = 6  # a poll, not a form: more fits no phone screen


def counted(n: int, word: str) -> str:
    """`1 choice`, `3 choices`: an English count for staff (their words are English)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class CampaignRefused(Exception):
    """Why a campaign cannot be created, in words for staff."""


def parse_when(text: str, now: datetime, *, naive_is_utc: bool = False) -> datetime | None:
    """An ISO 8601 time (None when empty); refused when unreadable, zone-less or past."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CampaignRefused(f"{text!r} is not a time like 2026-12-24T10:00+01:00") from None
    if at.tzinfo is None:
        if not naive_is_utc:
            raise CampaignRefused(f"{text!r} has no time zone; add one, e.g. +01:00 or Z")
        at = at.replace(tzinfo=UTC)
    if at < now:
        raise CampaignRefused(f"the schedule {text!r} is in the past")
    return at.astimezone(UTC)


def audience(
    *,
    languages: list[str],
    age_bands: list[str],
    known_bands: list[str],
    sources: list[str],
    took_part: str,
    submitted_days: int,
    configured: list[str],
    flow_ids: list[str],
) -> dict[str, Any]:
    """The audience's filters; CampaignRefused for a language, age band or flow that does not exist."""
    for lang in languages:
        if lang not in configured:
            raise CampaignRefused(f"unknown language {lang!r} (languages: {', '.join(configured)})")
    for band in age_bands:
        if band not in known_bands:
            raise CampaignRefused(f"unknown age band {band!r} (age bands: {', '.join(known_bands) or 'none asked'})")
    if took_part and took_part not in flow_ids:
        raise CampaignRefused(f"took part in: there is no flow {took_part!r} (flows: {', '.join(flow_ids)})")
    if submitted_days < 0:
        raise CampaignRefused("submitted in the last N days: N must be 0 (no filter) or more")
    return {
        "languages": languages,
        "age_bands": age_bands,
        "sources": [x for x in sources if x],
        "took_part": took_part,
        "submitted_days": submitted_days,
    }


def check_flow(flow_id: str, flow_ids: list[str]) -> None:
    if flow_id not in flow_ids:
        raise CampaignRefused(f"there is no flow {flow_id!r} (flows: {', '.join(flow_ids)})")


def check_size(size: int) -> None:
    if size == 0:
        raise CampaignRefused("the audience is empty: no youth who said yes to being contacted match it")
