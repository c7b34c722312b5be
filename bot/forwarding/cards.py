"""The staff group's card for a submission: readable text and the review buttons.

Cards carry the pseudonym, never a name, username or id. Callback data is
`s:{submission id}:{status}`. A card is always one Telegram message ending with the
line `#{submission id}` (long answers are shortened; the dashboard and the webhook
have them in full), so a reply to it or a press on it always finds its submission.
"""

from __future__ import annotations

from typing import Any

STATUSES = {
    "reviewed": "✅ Reviewed",
    "shortlisted": "⭐ Shortlist",
    "archived": "🗄 Archive",
}
STATUS_WORDS = {"new": "new", "reviewed": "reviewed ✅", "shortlisted": "shortlisted ⭐", "archived": "archived 🗄"}
RAISED = "⚠️ ASKED TO TALK TO SOMEONE NOW"  # an urgent card's head once the youth pressed for a person
CLAIM, DONE = "claim", "done"  # an urgent card's hand-off buttons (storage/urgent.py)
HAND_OFF = {CLAIM: "🙋 I'll take this", DONE: "✔️ Done"}
ASKED = "asked"  # that answers key (storage.submissions.ASKED: forwarding imports no storage)
CARD_MAX = 4000  # below Telegram's 4096 characters per message
SHORT_VALUE_MIN = 40


def card_text(sub: Any, flow_title: str, translated: str = "") -> str:
    """The card; `translated` is its translations' block (forwarding/translations.py
    `card_block`), shown under the answers."""
    answers = {name: _show(value) for name, value in _ordered(sub)}
    text = _compose(sub, flow_title, answers, translated)
    if len(text) > CARD_MAX:
        parts = len(answers) + (1 if translated else 0)
        room = CARD_MAX - len(_compose(sub, flow_title, dict.fromkeys(answers, ""), ""))
        each = max(room // max(parts, 1), SHORT_VALUE_MIN)
        short = {name: shorten(value, each) for name, value in answers.items()}
        text = _compose(sub, flow_title, short, shorten(translated, each))
    return text


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word break when one is near, with "…"."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def _compose(sub: Any, flow_title: str, answers: dict[str, str], translated: str) -> str:
    head = f"🔴 URGENT — {sub.category or 'safeguarding'}" if sub.urgent else f"💡 {flow_title}"
    if sub.urgent and (sub.answers or {}).get(ASKED):
        head += f" — {RAISED}"
    meta = [sub.participant_pseudonym or "(erased)", sub.language]
    if sub.detected_language and sub.detected_language != sub.language:
        meta.append(f"writes {sub.detected_language}")
    if sub.source:
        meta.append(f"source: {sub.source}")
    lines = [head, " · ".join(meta), ""]
    lines += [f"{name}: {value}" for name, value in answers.items()]
    if translated:
        lines += ["", translated]
    status = STATUS_WORDS.get(sub.status, sub.status)
    lines += ["", f"Status: {status}" + (f" (by {sub.status_by})" if sub.status_by else "")]
    lines += _hand_off(sub)
    lines.append(f"#{sub.id}")
    return "\n".join(lines)


def _hand_off(sub: Any) -> list[str]:
    """An urgent card's owner and done line ("taken by …")."""
    if not sub.urgent or not getattr(sub, "claimed_by", None):
        return []
    lines = [f"🙋 Taken by {sub.claimed_by}"]
    if getattr(sub, "done_at", None):
        lines.append("✔️ Done" + (f": {sub.done_note}" if sub.done_note else ""))
    return lines


def card_buttons(sub: Any) -> list[list[tuple[str, str]]]:
    rows = [[(label, f"s:{sub.id}:{status}") for status, label in STATUSES.items()]]
    if sub.urgent and not getattr(sub, "done_at", None):
        action = DONE if getattr(sub, "claimed_by", None) else CLAIM
        rows.insert(0, [(HAND_OFF[action], f"s:{sub.id}:{action}")])
    return rows


def parse_card_data(data: str) -> tuple[int, str] | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "s" or not parts[1].isdigit() or parts[2] not in (*STATUSES, *HAND_OFF):
        return None
    return int(parts[1]), parts[2]


def _ordered(sub: Any) -> list[tuple[str, Any]]:
    """The answers in the card's order. An urgent card's (bot.dialogue.written) in the
    order things happened: the alert, `earlier 1` …, then `written`, whatever order the
    database keeps JSON keys in (PostgreSQL's JSONB sorts them)."""
    items = list((sub.answers or {}).items())
    if not sub.urgent:
        return items
    rank = {"alert": 0, "written": 1000, ASKED: 1001}

    def key(item: tuple[str, Any]) -> int:
        name = item[0]
        number = name.removeprefix("earlier ")
        return rank.get(name, int(number) if number.isdigit() else 999)

    return sorted(items, key=key)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "—"
    if value is None:
        return "—"
    return str(value)
