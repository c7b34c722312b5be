"""Translations with Babel: catalogs, fallback, plurals, numbers, dates, RTL, language names.

The bot reads `locales/<lang>/LC_MESSAGES/messages.po` directly at start (no compile
step). Source strings are English. A string is looked up in the chosen language, then
in the default language (Swedish), then the English source is used; each missing
string is logged once (context and language only, never the text) and counted.

A draft (an entry marked fuzzy: not yet reviewed by someone who speaks the language) is
shown when `show_fuzzy` is on, unless the language has a fallback (UNREVIEWED_FALLBACK,
`DraftFallback`): then its drafts, or only its safety-critical drafts
(bot/i18n/critical.py), are replaced by the fallback language's reviewed text (the
English source when that has none).

Plurals follow CLDR's rules from Babel (Arabic has six forms, Ukrainian four); the
catalogs' `Plural-Forms` header is written from the same rules (`plural_forms_header`).
Everything about a language comes from Babel's CLDR data or from settings, so adding a
language is a catalog and a line of settings, no code.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_date as _babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.plural import to_gettext

from bot.i18n.critical import is_critical

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"

# CLDR's canonical order of plural categories; gettext msgstr[i] indexes follow it
# (the same order babel.plural.to_gettext uses for the Plural-Forms header).
PLURAL_TAGS = ("zero", "one", "two", "few", "many", "other")

# Codes Telegram clients may send that CLDR does not map onto our catalogs by itself
# (ISO 639-3 Dari and the Pashto varieties). Keys are lower case.
LANGUAGE_ALIASES = {"prs": "fa_AF", "pbt": "ps", "pbu": "ps", "pst": "ps"}

# Names people use for their language where CLDR's differs (Afghans call Dari «دری»,
# CLDR says "فارسی (افغانستان)"); settings.language_names overrides per deployment.
LANGUAGE_NAMES = {"fa_AF": "دری"}

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE

# Left-to-right runs that right-to-left text would scramble: a /command would show as
# "menu/", a phone number "116 111" as "111 116". They are isolated at run time so
# translators can type them plainly.
LTR_RUN_RE = re.compile(r"(?<![\w/:.\u2068])/[A-Za-z][A-Za-z0-9_]*|\d+(?:[ \u00a0-]\d+)+")

_Key = tuple[str | None, str]  # (context, msgid)


@dataclass(frozen=True)
class DraftFallback:
    """What a language shows instead of its unreviewed drafts: `language`'s reviewed text,
    for every draft or (`only_critical`) for the safety-critical ones only."""

    language: str
    only_critical: bool = False

    @classmethod
    def parse(cls, value: str) -> DraftFallback:
        """`"en"` (every draft) or `"en:critical"` (safety-critical drafts only)."""
        language, _, scope = value.strip().partition(":")
        if not language or scope not in ("", "critical"):
            raise ValueError(f"{value!r} is not a language code, optionally followed by ':critical'")
        return cls(language, scope == "critical")

    def covers(self, context: str | None, msgid: str) -> bool:
        return not self.only_critical or is_critical(context, msgid)


def po_path(locales_dir: str | Path, lang: str) -> Path:
    return Path(locales_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def plural_forms_header(lang: str) -> str:
    """The gettext Plural-Forms header for `lang`, from CLDR (e.g. nplurals=4 for uk)."""
    return to_gettext(Locale.parse(lang).plural_form)


def plural_tags(locale: Locale) -> list[str]:
    """The CLDR plural categories of `locale`, in msgstr[] order."""
    rule = locale.plural_form
    return [t for t in PLURAL_TAGS if t in rule.tags or t == "other"]


def plural_index(locale: Locale, n: float) -> int:
    """Index of the msgstr[] form to use for `n`, by CLDR plural rules."""
    return plural_tags(locale).index(locale.plural_form(abs(n)))


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a str.format template; raises ValueError if malformed."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- right-to-left ----------------------------------------------------------------


def _strong_direction(ch: str) -> str | None:
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "ltr"
    if kind in ("R", "AL"):
        return "rtl"
    return None


def text_directions(value: str) -> set[str]:
    """The strong directions ('ltr', 'rtl') present in `value`."""
    found: set[str] = set()
    for ch in value:
        d = _strong_direction(ch)
        if d:
            found.add(d)
            if len(found) == 2:
                break
    return found


def bidi_isolate(value: str) -> str:
    """Wrap `value` in FSI…PDI so it cannot reorder the text around it.

    Needed when an Arabic, Dari or Pashto message contains numbers, Latin words or an
    answer in another script (and when a left-to-right message contains RTL text).
    """
    if not value or (value.startswith(FSI) and value.endswith(PDI)):
        return value
    return f"{FSI}{value}{PDI}"


def isolate_for(text: str, rtl: bool) -> str:
    """A value made safe to insert into a message of the given direction.

    In right-to-left text every value is isolated (a number or a Latin answer would
    otherwise reorder its neighbours); in left-to-right text only values with RTL letters.
    """
    if rtl or "rtl" in text_directions(text):
        return bidi_isolate(text)
    return text


def format_value(value: Any, locale: Locale) -> str:
    """A placeholder value as text in `locale`: numbers and dates by CLDR, the rest as is."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return format_decimal(value, locale=locale)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _babel_format_date(value, format="long", locale=locale)
    return str(value)


# --- catalogs ---------------------------------------------------------------------

_String = str | tuple[str, ...]  # msgstr, or msgstr[n] of a plural entry


def _usable(string_: str | tuple[str, ...] | list[str]) -> bool:
    if isinstance(string_, tuple):
        return any(string_)
    return bool(string_)


def _read_catalog(path: Path, lang: str) -> Catalog | None:
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, domain=DOMAIN)
    except FileNotFoundError:
        log.warning("no catalog for language %s at %s", lang, path)
    except Exception as exc:  # a broken catalog must not stop the bot
        log.error("cannot read catalog for language %s (%s): %s", lang, path, type(exc).__name__)
    return None


def _entries(catalog: Catalog, show_fuzzy: bool) -> tuple[dict[_Key, _String], set[_Key]]:
    """The usable entries, and which of them are drafts (fuzzy)."""
    entries: dict[_Key, _String] = {}
    drafts: set[_Key] = set()
    for message in catalog:
        string_ = message.string
        if not message.id or string_ is None or not _usable(string_):
            continue
        if message.fuzzy and not show_fuzzy:
            continue
        singular = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        entries[(message.context, singular)] = tuple(string_) if isinstance(string_, (tuple, list)) else string_
        if message.fuzzy:
            drafts.add((message.context, singular))
    return entries, drafts


class Catalogs:
    """All languages' translations, read once from the .po files."""

    def __init__(
        self,
        locales_dir: Path,
        languages: list[str],
        default_language: str,
        show_fuzzy: bool,
        fallbacks: Mapping[str, str] | None = None,
    ) -> None:
        self.locales_dir = Path(locales_dir)
        self.languages = list(dict.fromkeys(languages))
        self.default_language = default_language
        self.show_fuzzy = show_fuzzy
        self.fallbacks = {lang: DraftFallback.parse(v) for lang, v in (fallbacks or {}).items()}
        self._entries: dict[str, dict[_Key, _String]] = {}
        self._drafts: dict[str, set[_Key]] = {}
        self._locales: dict[str, Locale] = {}
        self._missing_seen: set[tuple[str, str | None, str]] = set()
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        locales_dir: str | Path,
        languages: Iterable[str],
        default_language: str,
        show_fuzzy: bool = True,
        fallbacks: Mapping[str, str] | None = None,
    ) -> Catalogs:
        catalogs = cls(Path(locales_dir), list(languages), default_language, show_fuzzy, fallbacks)
        catalogs.reload()
        return catalogs

    def reload(self) -> None:
        """Re-read every catalog (hot reload after translators changed a .po).

        A catalog that cannot be read keeps its last good entries."""
        previous: dict[str, dict[_Key, _String]] = getattr(self, "_entries", {})
        previous_drafts: dict[str, set[_Key]] = getattr(self, "_drafts", {})
        entries: dict[str, dict[_Key, _String]] = {}
        drafts: dict[str, set[_Key]] = {}
        locales: dict[str, Locale] = {}
        for lang in dict.fromkeys([*self.languages, self.default_language]):
            locale = Locale.parse(lang)
            locales[lang] = locale
            catalog = _read_catalog(po_path(self.locales_dir, lang), lang)
            if catalog is None:
                entries[lang] = previous.get(lang, {})
                drafts[lang] = previous_drafts.get(lang, set())
                continue
            if catalog.num_plurals != len(plural_tags(locale)):
                log.warning(
                    "catalog %s has %d plural forms, CLDR has %d", lang, catalog.num_plurals, len(plural_tags(locale))
                )
            entries[lang], drafts[lang] = _entries(catalog, self.show_fuzzy)
        with self._lock:
            self._entries = entries
            self._drafts = drafts
            self._locales = locales
            self._missing_seen = set()

    @property
    def missing_count(self) -> int:
        """How many distinct (language, context, msgid) lookups found no translation."""
        return len(self._missing_seen)

    def locale(self, lang: str) -> Locale:
        return self._locales.get(lang) or Locale.parse(lang)

    def translator(self, lang: str | None) -> Translator:
        """A translator for `lang`; an unknown language gets the default language's."""
        if lang not in self._entries:
            if lang is not None:
                log.warning("language %s is not configured; using %s", lang, self.default_language)
            lang = self.default_language
        return Translator(self, lang)

    def lookup(self, lang: str, msgid: str, context: str | None) -> _String | None:
        """The entry for `msgid` along the fallback chain lang -> default; None = source."""
        found = self.resolve(lang, msgid, context)
        return found[1] if found is not None else None

    def resolve(self, lang: str, msgid: str, context: str | None) -> tuple[str, _String] | None:
        """(the language it comes from, the entry) for `msgid`; None = the English source.

        A draft the language's DraftFallback covers gives way to the fallback language's
        reviewed entry."""
        key = (context, msgid)
        entry = self._entries.get(lang, {}).get(key)
        if entry is not None:
            fallback = self.fallbacks.get(lang)
            if fallback is not None and key in self._drafts.get(lang, ()) and fallback.covers(context, msgid):
                return self._reviewed(fallback.language, key)
            return lang, entry
        self._note_missing(lang, msgid, context)
        if lang != SOURCE_LANGUAGE and lang != self.default_language:
            entry = self._entries.get(self.default_language, {}).get(key)
            return (self.default_language, entry) if entry is not None else None
        return None

    def _reviewed(self, lang: str, key: _Key) -> tuple[str, _String] | None:
        entry = self._entries.get(lang, {}).get(key)
        if entry is None or key in self._drafts.get(lang, ()):
            return None
        return lang, entry

    def has(self, lang: str, msgid: str, context: str | None = None) -> bool:
        return (context, msgid) in self._entries.get(lang, {})

    def is_draft(self, lang: str, msgid: str, context: str | None = None) -> bool:
        return (context, msgid) in self._drafts.get(lang, ())

    def _note_missing(self, lang: str, msgid: str, context: str | None) -> None:
        marker = (lang, context, msgid)
        with self._lock:
            if marker in self._missing_seen:
                return
            self._missing_seen.add(marker)
        log.warning("missing translation: language=%s context=%s", lang, context or "-")


# --- translator -------------------------------------------------------------------


class Translator:
    """Translation into one language; implements what bot.dialogue.render needs."""

    def __init__(self, catalogs: Catalogs, lang: str) -> None:
        self._catalogs = catalogs
        self.lang = lang
        self.locale = catalogs.locale(lang)

    @property
    def is_rtl(self) -> bool:
        return self.locale.text_direction == "rtl"

    def gettext(self, msgid: str, context: str | None = None) -> str:
        found = self._catalogs.lookup(self.lang, msgid, context)
        if isinstance(found, tuple):
            found = found[0]
        return self._directional(found or msgid)

    def ngettext(self, singular: str, plural: str, n: float, context: str | None = None) -> str:
        found = self._catalogs.resolve(self.lang, singular, context)
        if found is not None and isinstance(found[1], tuple):
            # the entry may come from another language: use that language's rules
            lang, forms = found
            index = plural_index(self._catalogs.locale(lang), n)
            if index < len(forms) and forms[index]:
                return self._directional(forms[index])
        return self._directional(singular if n == 1 else plural)

    def format(self, msgid: str, context: str | None = None, **params: Any) -> str:
        """Translate, then fill `{placeholders}`; a broken translation falls back to source."""
        return self._fill(self.gettext(msgid, context), msgid, context, params)

    def nformat(self, singular: str, plural: str, n: float, context: str | None = None, **params: Any) -> str:
        """ngettext, then fill placeholders; `{n}` is `n` formatted for the language."""
        params.setdefault("n", n)
        source = singular if n == 1 else plural
        return self._fill(self.ngettext(singular, plural, n, context), source, context, params)

    def format_number(self, n: float) -> str:
        return format_decimal(n, locale=self.locale)

    def format_date(self, d: dt.date, format: str = "long") -> str:
        return _babel_format_date(d, format=format, locale=self.locale)

    def language_name(self) -> str:
        return display_name(self.lang)

    # ---

    def _directional(self, text: str) -> str:
        if not self.is_rtl:
            return text
        return LTR_RUN_RE.sub(lambda m: bidi_isolate(m.group(0)), text)

    def _fill(self, template: str, source: str, context: str | None, params: Mapping[str, Any]) -> str:
        values = {name: isolate_for(format_value(v, self.locale), self.is_rtl) for name, v in params.items()}
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            log.warning("broken translation: language=%s context=%s", self.lang, context or "-")
        try:
            return source.format_map(values)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            log.error("cannot format source text: context=%s", context or "-")
            return source


# --- language names and negotiation ------------------------------------------------


def display_name(code: str, names: Mapping[str, str] | None = None) -> str:
    """The language's name in its own script, capitalised (e.g. 'Svenska', 'العربية')."""
    if names and code in names:
        return names[code]
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):  # a code CLDR does not know: show the code
        return code
    return name[:1].upper() + name[1:]


def language_choices(settings: Any) -> list[tuple[str, str]]:
    """(code, name) for the language picker, in settings order."""
    return [(code, display_name(code, settings.language_names)) for code in settings.languages]


def negotiate(telegram_language_code: str | None, settings: Any) -> str | None:
    """The supported language matching Telegram's `language_code` (IETF tag), or None."""
    if not telegram_language_code:
        return None
    available = list(settings.languages)
    by_lower = {code.lower(): code for code in available}
    tag = telegram_language_code.strip().replace("-", "_")
    language = tag.split("_")[0].lower()
    aliases = {k: v for k, v in LANGUAGE_ALIASES.items() if v in available}
    # a bare language ("fa") matches the one configured variant of it ("fa_AF")
    variants: dict[str, list[str]] = {}
    for code in available:
        variants.setdefault(code.split("_")[0].lower(), []).append(code)
    for lang, codes in variants.items():
        if len(codes) == 1 and lang not in by_lower:
            aliases.setdefault(lang, codes[0])
    found = negotiate_locale([tag, language], available, sep="_", aliases=aliases)
    return by_lower.get(found.lower()) if found else None


_cache: dict[tuple[Any, ...], Catalogs] = {}
_cache_lock = threading.Lock()


def get_catalogs(settings: Any) -> Catalogs:
    """The process-wide Catalogs for these settings (loaded on first use)."""
    key = (
        str(Path(settings.locales_dir).resolve()),
        tuple(settings.languages),
        settings.default_language,
        settings.show_fuzzy,
        tuple(sorted(getattr(settings, "unreviewed_fallback", {}).items())),
    )
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Catalogs.load(
                settings.locales_dir,
                settings.languages,
                settings.default_language,
                settings.show_fuzzy,
                getattr(settings, "unreviewed_fallback", {}),
            )
        return _cache[key]
