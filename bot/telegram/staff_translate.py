"""`/tr <text>` in the staff group, as a reply to a card: a person's translation of that
submission, stored (kind human, attributed to the staff member in the audit log by their
first name) and shown on the card above a machine one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.dialogue.services import Services
from bot.dialogue.translations import add_human, known_title, redraw_card

TR = re.compile(r"^/tr(?:@\w+)?(?=\s|$)", re.IGNORECASE)
USAGE = "Reply to a card with /tr followed by the translation, e.g. /tr We want a football team."
SAVED = "Translation saved (by {name}). The card shows it."


def translation_of(text: str) -> str:
    """What follows `/tr` (or `/tr@bot`)."""
    return TR.sub("", text.strip(), count=1).strip()


async def on_tr(services: Services, s: Any, sub: Any, text: str, by: str, now: datetime) -> str:
    """Store the translation in `text`; the answer for the staff member."""
    translation = translation_of(text)
    if not translation:
        return USAGE
    target = services.settings.translate_target
    await add_human(s, services.settings, sub, translation, by=by, target=target, via="telegram", now=now)
    title = await known_title(s, services.campaign_flows, services.file_flowset, sub.flow_id)
    await redraw_card(s, sub, title, now)
    return SAVED.format(name=by)
