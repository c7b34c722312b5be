"""The youth's own data: `/mydata` shows what is kept about them, a confirmed `/delete`
erases it."""

from __future__ import annotations

from bot.dialogue.conversation import Conversation
from bot.i18n import replies
from storage import participants


async def send_mydata(conv: Conversation) -> None:
    data = await participants.export_data(conv.s, conv.participant.id)
    tr = conv.tr
    p = data.get("participant", {})
    lines = [tr.gettext(replies.MYDATA_HEADER), ""]
    lines.append(tr.format(replies.MYDATA_LANGUAGE, language=p.get("language") or "—"))
    if p.get("age_band"):
        lines.append(tr.format(replies.MYDATA_AGE, age_band=p["age_band"]))
    if p.get("consent_at"):
        lines.append(tr.format(replies.MYDATA_CONSENT, when=p["consent_at"][:10]))
    shown = [a for a in data.get("answers", []) if a.get("value") is not None]
    for a in shown:
        value = a["value"] if not isinstance(a["value"], list) else ", ".join(map(str, a["value"]))
        lines.append(tr.format(replies.MYDATA_ANSWER, question=a.get("name", ""), answer=value))
    if not shown and not p:
        lines = [tr.gettext(replies.MYDATA_NOTHING)]
    lines += ["", tr.gettext(replies.MYDATA_FOOTER)]
    await conv.send("\n".join(lines))


async def erase(conv: Conversation) -> None:
    """Confirmed /delete: say goodbye first (the reply needs the chat id), then erase."""
    await conv.say(replies.DELETED)
    await participants.erase(conv.s, conv.participant.id, delete_submissions=conv.services.settings.erase_submissions)
    conv.session = None
