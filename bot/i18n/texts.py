"""The bot's own user-facing strings (English source), marked for translation.

Flow texts live in flows/*.yaml; these are the words the bot itself needs around
them: re-ask reasons, standard buttons, notices and the /command descriptions.
Every string is wrapped in `N_()` so `pybabel extract -k N_` finds it; the value
of each constant is its msgid (no message context).
"""

from __future__ import annotations


def N_(s: str) -> str:
    """Mark a string for extraction; translation happens later, in bot.dialogue.render."""
    return s


# Standard buttons
SKIP = N_("Skip")
DONE = N_("Done")
YES = N_("Yes")
NO = N_("No")
MENU = N_("Menu")
CONTINUE = N_("Continue where I left off")
START_OVER = N_("Start over")

# Prompts the engine needs when a flow does not give its own text
MENU_PROMPT = N_("What would you like to do?")
LANGUAGE_PROMPT = N_("Which language do you want to use?")
MULTI_HINT = N_("You can choose more than one. Press “Done” when you are ready.")
SKIP_HINT = N_("You can also press “Skip”.")

# Notices
STALE = N_("This question has moved on. Please answer the newest question.")
FLOW_CHANGED = N_("This conversation was updated. Let us start this part again.")
NOTHING_TO_GO_BACK_TO = N_("There is no earlier question to go back to.")
CANNOT_SKIP = N_("This question cannot be skipped. Please answer it, or write /menu.")
NOT_SAVED = N_("Nothing you write here is saved.")
ANSWER_SKIPPED = N_("—")
PLEASE_USE_TEXT = N_("Please write it in text. I cannot read voice messages, photos or files.")
RESUME_OR_RESTART = N_("Welcome back! Do you want to continue where you left off, or start over?")
PRIVATE_ONLY = N_("This bot works in private chats only. Please write to me directly.")
SESSION_ENDED = N_("Thank you! Write /menu to see what else you can do.")
EXPIRED = N_("It has been a while, so I closed our last conversation. Write /menu to start again.")
UNKNOWN_COMMAND = N_("I do not know that command. Write /menu to see what you can do.")
LANGUAGE_CHANGED = N_("OK, I will write in English now.")
FINISH_ONBOARDING_FIRST = N_("Let us finish these first questions together, then you can choose what to do.")
NOT_SENT = N_("Nothing of this was saved or sent to the team.")
AFTER_HELP = N_("Take your time. When you are ready, here is the question again:")

# Re-ask reasons (codes used in engine Reask events -> msgid)
REASONS = {
    "use_buttons": N_("Please choose one of the buttons."),
    "too_short": N_("That is a bit short. Please write at least {min} characters."),
    "too_long": N_("That is too long. Please write at most {max} characters."),
    "not_a_number": N_("Please write a number, like 17."),
    "out_of_range": N_("Please write a number from {min} to {max}."),
    "too_small": N_("Please write a number that is {min} or more."),
    "too_big": N_("Please write a number that is {max} or less."),
    "need_one": N_("Please choose at least one, then press “Done”."),
    "not_whole": N_("Please write a whole number, like 17."),
    "use_text": N_("Please write your answer in text."),
    "empty": N_("Please write something."),
}
TRIES_EXHAUSTED = N_("It is OK if this is hard. You can skip this question or go back to the menu.")

# /command descriptions for setMyCommands
COMMANDS = {
    "start": N_("Start or start again"),
    "menu": N_("Show the main menu"),
    "language": N_("Change the language"),
    "help": N_("How this bot works and where to get help"),
    "stop": N_("Stop messages from this bot"),
    "delete": N_("Delete everything you have told us"),
    "mydata": N_("See what we have saved about you"),
    "privacy": N_("What we keep and who reads it"),
}


def reason_msgid(code: str) -> str:
    """The msgid explaining a re-ask reason code; unknown codes get the generic one."""
    return REASONS.get(code, REASONS["use_buttons"])
