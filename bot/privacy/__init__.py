"""Privacy by design: the anonymiser and pseudonyms.

Every text that leaves for staff goes through `anonymize`; staff see a participant
as `pseudonym(key, user_id, salt)` (a random salt per participant row, so a youth who
erased their data and comes back cannot be linked to old exports), never a Telegram id,
name or username.

May import: base (settings; the layers would allow engine and i18n too); no I/O
packages, no storage. Its command (`python -m bot anonymize`) is bot/cli/anonymize.py.
"""

from .anonymizer import anonymize, find_spans
from .pseudonym import load_or_create_key, participant_key, pseudonym
from .span import LABELS, Span

__all__ = [
    "LABELS",
    "Span",
    "anonymize",
    "find_spans",
    "load_or_create_key",
    "participant_key",
    "pseudonym",
]
