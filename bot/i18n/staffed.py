"""What the bot says about when a person from the team is there (English source, N_()).

Used by bot.dialogue.staffed in the crisis answer and when a youth asks for a person.
"""

from __future__ import annotations

from bot.i18n.texts import N_

TALK_SENT = N_("Thank you. I have told the team that you want to talk to someone.")
STAFFED_NOW = N_("Someone from the team is here now and usually answers within {within}.")
STAFFED_CLOSING = N_(
    "The team is here until {until}. If nobody answers before then, someone will read your message {next}."
)
STAFFED_NEXT = N_("Nobody from the team is here right now. The team reads messages {hours}. Next time: {next}.")
STAFFED_UNKNOWN = N_(
    "Nobody from the team reads messages at set times right now, so I cannot say when someone will answer."
)
HELP_NOW = N_("If you need help now: BRIS 116 111 (free, day and night), or 112 in an emergency.")
