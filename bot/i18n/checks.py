"""What a translation must keep before it is saved: placeholders, commands, numbers,
length and plural forms. Each problem is one sentence naming exactly what is wrong.

Limits are Telegram's: a button label at most 64 characters, a message at most 4,096
(longer messages would be split). A text is a button when the extractor said so (its
`#.` comment) or it is one of the bot's own button labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from babel import Locale
from babel.messages.catalog import Message

from bot.i18n import replies, texts
from bot.i18n.catalogs import placeholders, plural_tags

BUTTON_LIMIT = 64
MESSAGE_LIMIT = 4096
BUTTON_MSGIDS = frozenset(
    {
        texts.SKIP,
        texts.DONE,
        texts.YES,
        texts.NO,
        texts.MENU,
        texts.CONTINUE,
        texts.START_OVER,
        replies.DELETE_YES,
        replies.DELETE_NO,
    }
)
# What a youth must be able to type or dial exactly as the source has it: /commands,
# phone numbers (116 111, 112, 90101) and web addresses (bris.se).
KEPT_RE = re.compile(r"/[a-z][a-z0-9_]*|\d+(?:[ \u00a0]\d+)*|\b[a-z0-9-]+\.(?:se|org|com|nu)\b")


def is_button(context: str | None, msgid: str, auto_comments: Iterable[str] = ()) -> bool:
    if msgid in BUTTON_MSGIDS or (context or "").endswith("/button"):
        return True
    return any(c.startswith("Button label") for c in auto_comments)


def length_limit(context: str | None, msgid: str, auto_comments: Iterable[str] = ()) -> int:
    return BUTTON_LIMIT if is_button(context, msgid, auto_comments) else MESSAGE_LIMIT


def kept_tokens(text: str) -> list[str]:
    """The commands, numbers and addresses of `text` that a translation must keep."""
    return list(dict.fromkeys(m.group(0) for m in KEPT_RE.finditer(text)))


def placeholder_problems(message: Message) -> Iterator[str]:
    """Describe each msgstr whose {placeholders} differ from its msgid."""
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    try:
        wanted = set().union(*(placeholders(i) for i in ids))
    except ValueError:
        return
    for form, text in enumerate(msgstr_forms(message)):
        if not text:
            continue
        try:
            got = placeholders(text)
        except ValueError:
            got = None
        if got != wanted:
            where = f"msgstr[{form}]" if not isinstance(message.id, str) else "msgstr"
            yield (
                f"{message.context or '-'}: {where} has {sorted(got) if got is not None else 'broken braces'}"
                f", source has {sorted(wanted)}"
            )


def msgstr_forms(message: Message) -> tuple[str, ...]:
    """The entry's translation: its msgstr, or its msgstr[] forms; () when it has none."""
    s = message.string
    return tuple(s) if isinstance(s, (tuple, list)) else ((s,) if s else ())


def _form_name(tags: Sequence[str], index: int, plural: bool) -> str:
    if not plural:
        return "the translation"
    tag = tags[index] if index < len(tags) else str(index)
    return f"plural form {index} ({tag})"


def translation_problems(
    msgid: str | Sequence[str],
    forms: Sequence[str],
    *,
    lang: str,
    limit: int,
) -> list[str]:
    """Why `forms` (one text, or the plural forms in msgstr[] order) cannot be saved."""
    plural = not isinstance(msgid, str)
    ids = [msgid] if isinstance(msgid, str) else list(msgid)
    tags = plural_tags(Locale.parse(lang)) if plural else ["other"]
    problems: list[str] = []
    if plural and len(forms) != len(tags):
        problems.append(f"{lang} has {len(tags)} plural forms ({', '.join(tags)}); {len(forms)} were given")
    try:
        wanted = set().union(*(placeholders(i) for i in ids))
    except ValueError:
        wanted = set()
    keep = list(dict.fromkeys(t for i in ids for t in kept_tokens(i)))
    for index, text in enumerate(forms):
        name = _form_name(tags, index, plural)
        if not text.strip():
            problems.append(f"{name} is empty")
            continue
        try:
            got = placeholders(text)
        except ValueError:
            problems.append(f"{name} has a {{ or }} that is not part of a placeholder; keep braces only in {{names}}")
            continue
        for name_ in sorted(wanted - got):
            problems.append(f"{name} lacks the placeholder {{{name_}}}; keep it exactly as in the English text")
        for name_ in sorted(got - wanted):
            problems.append(f"{name} has the placeholder {{{name_}}}, which the English text does not have")
        for token in keep:
            if token not in text and not (plural and token.isdigit()):
                problems.append(f"{name} lacks “{token}”; keep it exactly as in the English text")
        if len(text) > limit:
            problems.append(f"{name} has {len(text)} characters; at most {limit} fit here")
    return problems
