"""The youth's own data: `/mydata` shows what is kept about them, a confirmed `/delete`
erases it."""

from __future__ import annotations

from typing import Any

from bot.dialogue.conversation import Conversation
from bot.engine.texts_of import choice_context, step_context
from bot.i18n import replies, texts
from bot.i18n.catalogs import display_name
from storage import participants


def _question(conv: Conversation, flow_id: str, step: Any, name: str) -> str:
    """The question as the youth saw it (its first line), or the answer's name in words
    (also for a line that names earlier answers: those are not at hand here)."""
    lines = step.lines() if step is not None else []
    question = conv.tr.gettext(lines[0], step_context(flow_id, step.id)).strip() if lines else ""
    return question if question and "{" not in question else name.replace("_", " ")


def _answer(conv: Conversation, flow_id: str, step: Any, value: Any) -> str:
    """The answer in the youth's words: choice labels and yes/no translated, never an id."""
    tr = conv.tr
    if isinstance(value, bool):
        return tr.gettext(texts.YES if value else texts.NO)
    if isinstance(value, list):
        return ", ".join(_answer(conv, flow_id, step, v) for v in value)
    choices = {c.id: c for c in getattr(step, "choices", None) or []}
    if isinstance(value, str) and value in choices:
        return tr.gettext(choices[value].label, choice_context(flow_id, step.id, value))
    return str(value)


def _age_band(conv: Conversation, band: str) -> str:
    """The age group's label from the question that set it (the onboarding flow's)."""
    for flow in conv.services.flowset:
        for step in flow.steps.values():
            for choice in getattr(step, "choices", None) or []:
                if getattr(step, "profile", None) == "age_band" and choice.id == band:
                    return conv.tr.gettext(choice.label, choice_context(flow.id, step.id, band))
    return band.replace("_", " ")


async def send_mydata(conv: Conversation) -> None:
    data = await participants.export_data(conv.s, conv.participant.id)
    tr = conv.tr
    p = data.get("participant", {})
    lines = [tr.gettext(replies.MYDATA_HEADER), ""]
    code = p.get("language")
    language = display_name(code, conv.services.settings.language_names) if code else "—"
    lines.append(tr.format(replies.MYDATA_LANGUAGE, language=language))
    if p.get("age_band"):
        lines.append(tr.format(replies.MYDATA_AGE, age_band=_age_band(conv, p["age_band"])))
    if p.get("consent_at"):
        lines.append(tr.format(replies.MYDATA_CONSENT, when=p["consent_at"][:10]))
        if p.get("contact_at"):
            lines.append(tr.format(replies.MYDATA_CONTACT, when=p["contact_at"][:10]))
        else:
            lines.append(tr.gettext(replies.MYDATA_NO_CONTACT))
    shown = [a for a in data.get("answers", []) if a.get("value") is not None]
    await conv.services.campaign_flows.know(conv.s, {a.get("flow_id") for a in shown})  # their words, too
    for a in shown:
        flow = conv.services.flowset.get(a.get("flow_id") or "")
        step = flow.steps.get(a.get("step_id") or "") if flow else None
        if getattr(step, "profile", None) == "contact":
            continue  # the contact line above tells it, as it is now (Settings may change it)
        flow_id = flow.id if flow else ""
        question = _question(conv, flow_id, step, a.get("name", ""))
        answer = _answer(conv, flow_id, step, a["value"])
        lines.append(tr.format(replies.MYDATA_ANSWER, question=question, answer=answer))
    if not shown and not p:
        lines = [tr.gettext(replies.MYDATA_NOTHING)]
    lines += ["", tr.gettext(replies.MYDATA_FOOTER)]
    await conv.send("\n".join(lines))


async def erase(conv: Conversation) -> None:
    """Confirmed /delete: say goodbye first (the reply needs the chat id), then erase."""
    await conv.say(replies.DELETED)
    await participants.erase(conv.s, conv.participant.id, delete_submissions=conv.services.settings.erase_submissions)
    conv.session = None
