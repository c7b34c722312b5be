"""Where each language's texts stand: reviewed, draft (fuzzy) or missing.

A text is *reviewed* when its catalog entry has a translation without the `fuzzy`
flag, a *draft* when it has one with the flag, *missing* when it has none. "Done"
counts reviewed texts only: a catalog of drafts is not finished, however full.
English is the source language: its texts are the msgids themselves.

`language_texts` gives every text of the template with what a reviewer needs (source,
where it is shown, current draft, limits, the entry's digest for bot.i18n.poedit);
`language_status` the counts, with the safety-critical texts (bot/i18n/critical.py)
counted apart. `i18n status`, `doctor`, the flows page and the Translations page all
use these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n.catalogs import DOMAIN, SOURCE_LANGUAGE, po_path
from bot.i18n.checks import kept_tokens, length_limit, msgstr_forms, placeholder_problems
from bot.i18n.critical import is_critical
from bot.i18n.poedit import locate_all

REVIEWED, DRAFT, MISSING = "reviewed", "draft", "missing"

_Key = tuple[str | None, str]


@dataclass(frozen=True)
class Text:
    """One text of the template, in one language."""

    context: str | None
    msgid: str | tuple[str, ...]
    state: str
    forms: tuple[str, ...]  # the current translation (msgstr, or msgstr[] of a plural)
    critical: bool
    limit: int
    locations: tuple[str, ...]
    comments: tuple[str, ...]  # translator comments (# …) of the entry
    digest: str | None  # of the entry's lines; None when the catalog lacks the entry

    @property
    def singular(self) -> str:
        return self.msgid if isinstance(self.msgid, str) else self.msgid[0]

    @property
    def plural(self) -> bool:
        return not isinstance(self.msgid, str)

    @property
    def key(self) -> _Key:
        return (self.context, self.singular)

    @property
    def where(self) -> str:
        """Where the youth meets this text, in words."""
        if not self.context:
            files = sorted({loc.split(":")[0] for loc in self.locations})
            return "the bot's own reply" + (f" ({', '.join(files)})" if files else "")
        parts = self.context.split("/")
        if parts[0] == "safeguarding":
            what = {"text": "the crisis answer", "button": "the crisis answer's button"}
            return what.get(parts[-1], f"the crisis answer, helpline “{parts[-1]}”")
        if len(parts) == 2 and parts[1] in ("title", "reminder"):
            return f"flow “{parts[0]}”, its {parts[1]}"
        where = f"flow “{parts[0]}”, step “{parts[1]}”"
        return where + (f", button “{parts[2]}”" if len(parts) > 2 else "")

    @property
    def keep(self) -> list[str]:
        """Commands, numbers and addresses the translation must keep as they are."""
        ids = [self.msgid] if isinstance(self.msgid, str) else list(self.msgid)
        return list(dict.fromkeys(t for i in ids for t in kept_tokens(i)))


def _forms(message: Message | None) -> tuple[str, ...]:
    return msgstr_forms(message) if message is not None else ()


def _state(message: Message | None) -> str:
    if message is None or not any(_forms(message)):
        return MISSING
    return DRAFT if message.fuzzy else REVIEWED


def text_of(template_message: Message, own: Message | None, digest: str | None = None) -> Text:
    """The template's text `template_message` as the language's entry `own` has it."""
    m = template_message
    msgid = m.id if isinstance(m.id, str) else tuple(m.id)
    singular = msgid if isinstance(msgid, str) else msgid[0]
    return Text(
        context=m.context,
        msgid=msgid,
        state=_state(own),
        forms=_forms(own),
        critical=is_critical(m.context, singular),
        limit=length_limit(m.context, singular, m.auto_comments),
        locations=tuple(f"{f}:{line}" for f, line in m.locations),
        comments=tuple(own.user_comments) if own is not None else (),
        digest=digest,
    )


def language_texts(template: Catalog, locales_dir: Path, lang: str) -> list[Text]:
    """Every text of the template in `lang`, safety-critical ones first, else in template order."""
    path = po_path(locales_dir, lang)
    located = locate_all(path.read_text(encoding="utf-8"), lang) if path.is_file() else {}
    found = []
    for m in template:
        if not m.id:
            continue
        singular = m.id if isinstance(m.id, str) else m.id[0]
        entry = located.get((m.context, singular))
        found.append(text_of(m, entry.message if entry else None, entry.digest if entry else None))
    return sorted(found, key=lambda t: not t.critical)


@dataclass
class LanguageStatus:
    lang: str
    reviewed: int = 0
    draft: int = 0
    missing: int = 0
    critical_total: int = 0
    critical_unreviewed: list[Text] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.reviewed + self.draft + self.missing

    @property
    def percent(self) -> int:
        """Share of texts reviewed (drafts do not count), rounded down."""
        return math.floor(100 * self.reviewed / self.total) if self.total else 100

    @property
    def critical_reviewed(self) -> int:
        return self.critical_total - len(self.critical_unreviewed)


def status_of(lang: str, texts: Iterable[Text]) -> LanguageStatus:
    status = LanguageStatus(lang)
    for t in texts:
        state = REVIEWED if lang == SOURCE_LANGUAGE else t.state
        if state == REVIEWED:
            status.reviewed += 1
        elif state == DRAFT:
            status.draft += 1
        else:
            status.missing += 1
        if t.critical:
            status.critical_total += 1
            if state != REVIEWED:
                status.critical_unreviewed.append(t)
    return status


def language_status(template: Catalog, locales_dir: Path, lang: str) -> LanguageStatus:
    return status_of(lang, language_texts(template, locales_dir, lang))


def catalog_status(template: Catalog, catalog: Catalog | None, lang: str) -> LanguageStatus:
    """The status of an in-memory catalog (None: every text missing)."""
    own = [(m, catalog.get(m.id, context=m.context) if catalog is not None else None) for m in template if m.id]
    status = status_of(lang, (text_of(m, message) for m, message in own))
    status.problems = [p for _m, message in own if message is not None for p in placeholder_problems(message)]
    return status


def catalog_states(locales_dir: Path, lang: str) -> dict[_Key, str]:
    """(context, msgid) -> reviewed or draft, for the entries `lang`'s catalog translates
    (English: every entry is reviewed); a text not in the answer is missing."""
    path = po_path(locales_dir, lang)
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    found = {}
    for m in catalog:
        state = REVIEWED if lang == SOURCE_LANGUAGE and any(_forms(m)) else _state(m)
        if m.id and state != MISSING:
            found[(m.context, m.id if isinstance(m.id, str) else m.id[0])] = state
    return found
