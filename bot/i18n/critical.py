"""The safety-critical texts: consent, the privacy promise, the crisis answer, helplines.

The one place that says which texts these are. A wrong sentence here can hurt a youth
(a consent they did not mean, a promise the bot does not keep, a helpline number that
is wrong), so they are listed first for review, `doctor` warns while one is unreviewed
in an enabled language, and UNREVIEWED_FALLBACK can keep their drafts from being shown.

A flow text is critical by its message context (`<flow>/<step>[/<choice>]`): a listed
context and everything below it. A bot string is critical by its msgid.
"""

from __future__ import annotations

from bot.i18n import promise, replies, texts

# Flow steps (message contexts) whose texts are critical, with all their choices.
CRITICAL_CONTEXTS = (
    "safeguarding",  # the crisis answer, its helplines and its button (flows/safeguarding.yaml)
    "onboarding/too_young",  # under 13: nothing saved, BRIS
    "onboarding/about_data",  # the privacy promise
    "onboarding/consent",  # the consent question and its answers
    "onboarding/no_consent",  # what happens without consent
)

# The bot's own strings that promise something about a youth's data or answer a crisis.
CRITICAL_MSGIDS = frozenset(
    {
        texts.NOT_SAVED,
        texts.NOT_SENT,
        texts.AFTER_HELP,
        replies.HELP_INTRO,
        replies.DELETE_CONFIRM,
        replies.DELETED,
        replies.TEAM_ASKS_HINT,
        *promise.LINES,
        promise.HELP_HINT,
        texts.COMMANDS["privacy"],
    }
)


def is_critical(context: str | None, msgid: str) -> bool:
    """Whether the text (`context`, `msgid`) is safety-critical."""
    if msgid in CRITICAL_MSGIDS:
        return True
    if not context:
        return False
    return any(context == c or context.startswith(c + "/") for c in CRITICAL_CONTEXTS)
