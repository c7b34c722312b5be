"""Which forum topic a staff message belongs to, when the team's group is a forum: urgent
cards and their alerts, ideas, needs, and the youths' answers to follow-ups each have a
topic. Here only the kind, carried in the outbox payload under TOPIC; the Telegram
adapter (bot/telegram/topics.py) finds or creates the topic and strips the marker, so a
plain group gets the message as before."""

from __future__ import annotations

from typing import Any

TOPIC = "topic"  # the payload key the sender reads (and removes)
URGENT, IDEAS, NEEDS, FOLLOWUPS = "urgent", "ideas", "needs", "followups"
NAMES = {URGENT: "🔴 Urgent", IDEAS: "💡 Ideas", NEEDS: "🧩 Needs", FOLLOWUPS: "💬 Follow-ups"}
NEED_FLOWS = ("need",)  # flows whose submissions are needs rather than ideas


def of_submission(sub: Any) -> str:
    """The topic of a submission's card."""
    if getattr(sub, "urgent", False):
        return URGENT
    return NEEDS if str(getattr(sub, "flow_id", "")) in NEED_FLOWS else IDEAS


def mark(payload: dict[str, Any], kind: str) -> dict[str, Any]:
    """The payload with its topic named."""
    payload[TOPIC] = kind
    return payload
