"""What a finished flow (an engine Forward event) becomes for the team, from plain
values: its answers anonymised, a fresh idempotency key, the staff group's card and the
signed webhook's body, returned to the caller.

Storing the submission and queueing its deliveries is dialogue's (dialogue/forward.py),
inside the transaction of the update that finished the flow, so the submission and its
deliveries are stored together or not at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.engine.model import Flow, TextStep
from bot.forwarding.cards import card_buttons, card_text
from bot.privacy.anonymizer import anonymize

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)


def submission_key() -> str:
    """A fresh idempotency key. Random on purpose: a key derived from the participant
    (their keyed id, the flow, the time) would let whoever holds PSEUDONYM_KEY link a
    submission back to a Telegram id after /delete unlinked it."""
    return secrets.token_hex(16)


def name_answers(flow: Flow | None) -> set[str]:
    """The answers of a flow that ask for a name (anonymised as names)."""
    if flow is None:
        return set()
    return {step.save for step in flow.steps.values() if isinstance(step, TextStep) and step.asks_name and step.save}


def anonymize_answers(answers: dict[str, Any], names: tuple[str, ...], name_fields: set[str]) -> dict[str, Any]:
    def clean(field: str, value: Any) -> Any:
        if isinstance(value, str):
            return anonymize(value, names=names, name_answer=field in name_fields)
        if isinstance(value, list):
            return [clean(field, v) for v in value]
        return value

    return {name: clean(name, value) for name, value in answers.items()}


@dataclass(frozen=True)
class StaffCard:
    """A submission's card for the staff (or safeguarding) chat: text, buttons, where to."""

    chat_id: int
    text: str
    buttons: Buttons
    ref: str


@dataclass(frozen=True)
class WebhookPost:
    """A submission's signed webhook post: its JSON body."""

    body: dict[str, Any]
    ref: str


def deliveries(
    sub: Any, title: str, *, staff_chat: int | None, webhook_url: str | None, translated: str = ""
) -> list[StaffCard | WebhookPost]:
    """What to send for one submission: the card when there is a staff chat, the post
    when there is a webhook. The caller queues them (dialogue/forward.py)."""
    out: list[StaffCard | WebhookPost] = []
    if staff_chat is not None:
        out.append(
            StaffCard(staff_chat, card_text(sub, title, translated), card_buttons(sub), ref=f"submission:{sub.id}")
        )
    if webhook_url:
        out.append(WebhookPost(webhook_body(sub), ref=f"webhook:{sub.id}"))
    return out


def translation_body(sub: Any, t: Any) -> dict[str, Any]:
    """The signed webhook's body for a translation that arrived after its submission was
    posted: its own idempotency key, the submission's id and key to join them by."""
    return {
        "event": "translation",
        "idempotency_key": f"{sub.key}.translation.{t.id}",
        "submission_id": sub.id,
        "submission_key": sub.key,
        "kind": t.kind,
        "source": t.source,
        "target": t.target,
        "provider": t.provider,
        "text": t.text,
        "answers": t.answers,
        "created_at": t.created_at.isoformat() if t.created_at else None,
    }


def webhook_body(sub: Any) -> dict[str, Any]:
    return {
        "event": "submission",
        "idempotency_key": sub.key,
        "id": sub.id,
        "pseudonym": sub.participant_pseudonym,
        "flow": sub.flow_id,
        "language": sub.language,
        "detected_language": sub.detected_language,
        "source": sub.source,
        "urgent": sub.urgent,
        "category": sub.category,
        "answers": sub.answers,
        "created_at": sub.created_at.isoformat() if sub.created_at else None,
    }
