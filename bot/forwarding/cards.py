"""The staff group's card for a submission: readable text and the review buttons.

Cards carry the pseudonym, never a name, username or id. Callback data is
`s:{submission id}:{status}`.
"""
from __future__ import annotations

from typing import Any

STATUSES = {
    "reviewed": "✅ Reviewed",
    "shortlisted": "⭐ Shortlist",
    "archived": "🗄 Archive",
}
STATUS_WORDS = {"new": "new", "reviewed": "reviewed ✅", "shortlisted": "shortlisted ⭐", "archived": "archived 🗄"}


def card_text(sub: Any, flow_title: str) -> str:
    head = f"🔴 URGENT — {sub.category or 'safeguarding'}" if sub.urgent else f"💡 {flow_title}"
    meta = [sub.participant_pseudonym or "(erased)", sub.language]
    if sub.detected_language and sub.detected_language != sub.language:
        meta.append(f"writes {sub.detected_language}")
    if sub.source:
        meta.append(f"source: {sub.source}")
    lines = [head, " · ".join(meta), ""]
    for name, value in (sub.answers or {}).items():
        lines.append(f"{name}: {_show(value)}")
    status = STATUS_WORDS.get(sub.status, sub.status)
    lines += ["", f"Status: {status}" + (f" (by {sub.status_by})" if sub.status_by else "")]
    lines.append(f"#{sub.id}")
    return "\n".join(lines)


def card_buttons(sub: Any) -> list[list[tuple[str, str]]]:
    return [[(label, f"s:{sub.id}:{status}") for status, label in STATUSES.items()]]


def parse_card_data(data: str) -> tuple[int, str] | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "s" or not parts[1].isdigit() or parts[2] not in STATUSES:
        return None
    return int(parts[1]), parts[2]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "—"
    if value is None:
        return "—"
    return str(value)
