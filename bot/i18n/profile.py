"""The bot's profile on Telegram (English source, N_()): what a youth sees before
pressing Start (setMyDescription, at most 512 characters) and on the bot's profile and
in shares (setMyShortDescription, at most 120), the bot's name where a language writes
it in its own script (setMyName) and the menu button. Every catalog must translate them
(`doctor` checks; no English shown in their place)."""

from __future__ import annotations

from bot.i18n.texts import N_

DESCRIPTION = N_(
    "Sammanbot is a chat bot for young people who are new in Sweden. It asks about your ideas "
    "and needs and passes them on to the Sammanhacket team. It is anonymous: your name and phone "
    "numbers are removed before anyone in the team reads anything. If you need help now: "
    "BRIS 116 111, or 112 in an emergency."
)
SHORT_DESCRIPTION = N_("Share your ideas and needs with the Sammanhacket team, anonymously. Help now: BRIS 116 111.")
# The bot's name in a language's own script (setMyName, at most 64 characters); set only
# for a language whose name differs from the default one's, so most keep "Sammanbot".
NAME = N_("Sammanbot")
TEXTS = {"description": DESCRIPTION, "short_description": SHORT_DESCRIPTION}
LIMITS = {"description": 512, "short_description": 120, "name": 64}
METHODS = {"description": "setMyDescription", "short_description": "setMyShortDescription", "name": "setMyName"}
# The menu button beside a youth's text field opens the command list (setChatMenuButton,
# for every private chat).
MENU_BUTTON = {"type": "commands"}
