"""Safeguarding: spot a crisis message in any language and answer it with help at once.

Pure pieces only (no I/O besides reading the lexicon file): the Telegram adapter
calls `Lexicon.match` on every free-text message before the flow sees it, and on a
match sends `Lexicon.help` and alerts staff.

    lexicon, problems = load_lexicon("flows/safeguarding.yaml")
    m = lexicon.match(text)          # Match(category, language, phrase_id, line) | None

May import: engine (label limits), i18n and base; no I/O packages, no storage.
"""

from bot.safeguarding.lexicon import Help, Helpline, Lexicon, load_lexicon, parse_lexicon, validate_lexicon
from bot.safeguarding.matcher import CATEGORIES, Match
from bot.safeguarding.normalize import normalize

__all__ = [
    "CATEGORIES",
    "Help",
    "Helpline",
    "Lexicon",
    "Match",
    "load_lexicon",
    "normalize",
    "parse_lexicon",
    "validate_lexicon",
]
