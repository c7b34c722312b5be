"""What the bot itself says around the flows in chat (English source, marked N_()).

bot/i18n/texts.py holds the strings the engine and its renderer need; these are the
front-end's own: commands, erasure, help, staff cards.
"""

from __future__ import annotations

from bot.i18n.texts import N_

STOPPED = N_("OK. I will not send you messages any more. Write /start if you want to come back.")
DELETE_CONFIRM = N_(
    "Do you want to delete everything you have told us? This cannot be undone. "
    "Ideas that were already sent to the team stay, but without any link to you."
)
DELETE_YES = N_("Yes, delete everything")
DELETE_NO = N_("No, keep it")
DELETED = N_("Done. Everything we had saved about you is deleted. Write /start if you want to begin again.")
DELETE_KEPT = N_("OK, nothing was deleted.")
MYDATA_HEADER = N_("This is what we have saved about you:")
MYDATA_NOTHING = N_("We have not saved anything about you.")
MYDATA_LANGUAGE = N_("Language: {language}")
MYDATA_AGE = N_("Age group: {age_band}")
MYDATA_CONSENT = N_("You agreed to take part: {when}")
MYDATA_CONTACT = N_("You said we may write to you later: {when}")
MYDATA_NO_CONTACT = N_("We may not write to you first (change it in /menu → Settings).")
MYDATA_ANSWER = N_("{question}: {answer}")
MYDATA_FOOTER = N_("Write /delete to delete all of it.")
HELP_INTRO = N_(
    "I am Sammanbot. I ask you about your ideas and needs and send them to the "
    "Sammanhacket team, without your name. Write /menu to start."
)
TEAM_ASKS = N_("The team asks: {question}")
TEAM_ASKS_MACHINE = N_("The team asks (machine-translated): {question}\n\nWhat they wrote: {original}")
TEAM_ASKS_HINT = N_("Write your answer here. The team will not see your name.")
FOLLOWUP_SENT = N_("Thank you! Your answer was sent to the team.")
SLOW_DOWN = N_(
    "You are sending a lot of messages very quickly. I am reading them all, but I will "
    "only answer your newest one until you slow down a little."
)

# "What happened to your idea" (bot/dialogue/idea_news.py); {flow} is the flow's title
NEWS_SHORTLISTED = N_("Good news about your idea ({flow}): the team has picked it to work on further. 🌟")
NEWS_REVIEWED = N_("The team has read your idea ({flow}).")
NEWS_CHANGED = N_("There is news about your idea ({flow}).")
NEWS_NOTE = N_("The team writes: {note}")

# A poll's results, sent back to the youth (bot/dialogue/poll_results.py)
RESULTS_HEADER = N_("Here is what young people answered to “{question}” (answers: {count}):")
RESULTS_LINE = N_("{label}: {percent}% ({count})")
RESULTS_THANKS = N_("Thank you for taking part! The team uses your answers to decide what to build next.")
