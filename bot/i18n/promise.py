"""The honest promise (English source, N_()): what the bot keeps, that names and numbers
are removed before the team reads anything, who reads it, that urgent messages go to
the person on duty and that the team may act on danger. Shown with the consent question
at onboarding and again by /privacy; every catalog translates it (no English fallback),
and every line is safety-critical (bot.i18n.critical)."""

from __future__ import annotations

from bot.i18n.texts import N_

TITLE = N_("Our promise to you:")
LINES = (
    TITLE,
    N_("• We keep what you write here, your language and your age group. Nothing more."),
    N_("• Names, phone numbers and addresses are removed before anyone in the team reads anything."),
    N_("• Only the Sammanhacket team reads it. They do not see who you are."),
    N_(
        "• If you write something that sounds like you are in danger, it is shown at once to the person "
        "on duty in the team, with names and numbers removed."
    ),
    N_("• If you tell us that you or someone else is in danger, the team may act on it to get help."),
    N_("You can read this again at any time: /privacy"),
)
HELP_HINT = N_("What we keep and who reads it: /privacy")
