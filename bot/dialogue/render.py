"""Engine events -> front-end neutral messages (text + button rows) in one language.

Telegram, the terminal simulator and the web simulator all call `render(events, tr)`.
`tr` is anything with `gettext(msgid, context=None) -> str`; bot.i18n's translator also
has `locale` and `lang`, used for number and list formatting, text direction and the
language picker. The default translator returns the English source. Rules:
- consecutive Say events, an End text and the following Ask become one message
  (split only where Telegram's 4096-character limit forces it);
- `{placeholders}` are filled AFTER translation; a translation with a bad or unknown
  placeholder falls back to the English source, never to an exception;
- values are formatted for the language (numbers, lists) and wrapped in Unicode
  isolates where their direction could scramble the text (every value in Arabic, Dari
  and Pashto; values with right-to-left letters elsewhere), as bot.i18n does;
- saved choices in params are references (msgid + context) translated here, so a
  later text shows "School", in the youth's language, not the id "school";
- the language picker shows each language's own name and marks the one in use (for a
  new youth: the one negotiated from Telegram's language_code);
- buttons carry callback data "{ask}:{index}": index < N a choice, N "Done"
  (multiple choice), N+1 "Skip" (optional questions, and after three wrong tries),
  N+2 "Menu" (after three wrong tries). See bot.engine.inputs.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from babel import Locale
from babel.lists import format_list

from bot.i18n import texts
from bot.engine import events as ev
from bot.engine.inputs import done_index, menu_index, skip_index
from bot.i18n.catalogs import LANGUAGE_NAMES, SOURCE_LANGUAGE, display_name, format_value, isolate_for

MAX_MESSAGE = 4096
SOURCE_LOCALE = Locale.parse(SOURCE_LANGUAGE)
CHECK = "✅"  # a chosen option of a multiple choice; the language in use

Buttons = list[list[tuple[str, str]]]


class Translator(Protocol):
    def gettext(self, msgid: str, context: str | None = None) -> str: ...


class English:
    """The identity translator: the English source texts."""

    lang = SOURCE_LANGUAGE
    locale = SOURCE_LOCALE

    def gettext(self, msgid: str, context: str | None = None) -> str:
        return msgid


ENGLISH = English()


@dataclass
class OutMessage:
    text: str
    buttons: Buttons = field(default_factory=list)
    edit_of: int | None = None  # ask number of an earlier message to edit instead of sending anew
    ask: int | None = None  # the question these buttons answer


class _BadTemplate(Exception):
    pass


def _format(template: str, params: Mapping[str, str], *, missing: str | None) -> str:
    """str.format for plain `{name}` fields only (no attribute access, no format specs).

    A field without a value raises, or shows `missing` when that is given."""
    out: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise _BadTemplate(str(exc)) from exc
    for literal, name, spec, conversion in parsed:
        out.append(literal)
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise _BadTemplate(name)
        if name in params:
            out.append(params[name])
        elif missing is not None:
            out.append(missing)
        else:
            raise _BadTemplate(name)
    return "".join(out)


def _locale(tr: Translator) -> Locale:
    locale = getattr(tr, "locale", None)
    return locale if isinstance(locale, Locale) else SOURCE_LOCALE


def _param(value: Any, tr: Translator, locale: Locale) -> str:
    """A param as plain text in the language: labels translated, numbers and lists formatted."""
    if isinstance(value, dict) and "msgid" in value:
        return tr.gettext(str(value["msgid"]), value.get("context"))
    if isinstance(value, list):
        return format_list([_param(v, tr, locale) for v in value], locale=locale)
    return format_value(value, locale)


def text_of(msgid: str, context: str | None, params: Mapping[str, Any] | None, tr: Translator) -> str:
    """Translate, then fill placeholders; fall back to the source on a bad translation."""
    translated = tr.gettext(msgid, context)
    if not params and "{" not in msgid:
        return translated
    locale = _locale(tr)
    rtl = locale.text_direction == "rtl"
    values = {k: isolate_for(_param(v, tr, locale), rtl) for k, v in (params or {}).items()}
    try:
        return _format(translated, values, missing=None)
    except _BadTemplate:
        pass
    try:
        return _format(msgid, values, missing=tr.gettext(texts.ANSWER_SKIPPED))
    except _BadTemplate:
        return msgid


def language_name(code: str, names: Mapping[str, str] | None = None) -> str:
    """A language's name in that language ("Svenska", "العربية"); `names` (settings) win."""
    return display_name(code, LANGUAGE_NAMES if names is None else names)


def _buttons(ask: ev.Ask, tr: Translator, names: Mapping[str, str] | None) -> Buttons:
    n = len(ask.choices)
    rows: Buttons = []
    labels: list[str] = []
    current = getattr(tr, "lang", None)
    for i, (cid, label, context) in enumerate(ask.choices):
        text = language_name(cid, names) if ask.kind == "language" else tr.gettext(label, context)
        icon = ask.icons[i] if i < len(ask.icons) and ask.icons[i] else ""
        if icon:
            text = f"{icon} {text}"
        if (ask.kind == "multi" and cid in ask.selected) or (ask.kind == "language" and cid == current):
            text = f"{CHECK} {text}"
        labels.append(text)
    per_row = 2 if ask.kind in ("yesno", "language") else 1
    for i in range(0, n, per_row):
        rows.append([(labels[j], f"{ask.ask}:{j}") for j in range(i, min(i + per_row, n))])
    extra: list[tuple[str, str]] = []
    if ask.kind == "multi":
        extra.append((tr.gettext(texts.DONE), f"{ask.ask}:{done_index(n)}"))
    if ask.optional:
        extra.append((tr.gettext(texts.SKIP), f"{ask.ask}:{skip_index(n)}"))
    if extra:
        rows.append(extra)
    return rows


def _chunks(text: str) -> list[str]:
    """Split text at line breaks (or hard, if a line is huge) to fit Telegram's limit."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > MAX_MESSAGE:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:MAX_MESSAGE])
            line = line[MAX_MESSAGE:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_MESSAGE:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


class _Builder:
    def __init__(self) -> None:
        self.out: list[OutMessage] = []
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)

    def flush(self, buttons: Buttons | None = None, *, edit_of: int | None = None, ask: int | None = None) -> None:
        if not self.lines and not buttons:
            return
        chunks = _chunks("\n".join(self.lines))
        for chunk in chunks[:-1]:
            self.out.append(OutMessage(chunk))
        self.out.append(OutMessage(chunks[-1], buttons or [], edit_of, ask))
        self.lines = []


def render(
    events: Iterable[ev.Event], tr: Translator = ENGLISH, *, language_names: Mapping[str, str] | None = None
) -> list[OutMessage]:
    """Turn engine events into the messages to send, in order."""
    b = _Builder()
    for e in events:
        if isinstance(e, ev.Say):
            b.say(text_of(e.msgid, e.context, e.params, tr))
        elif isinstance(e, ev.End):
            if e.msgid:
                b.say(text_of(e.msgid, e.context, e.params, tr))
        elif isinstance(e, ev.Ask):
            if e.update:
                b.flush()
            b.say(text_of(e.msgid, e.context, e.params, tr))
            if e.kind == "multi" and not e.update:
                b.say(tr.gettext(texts.MULTI_HINT))
            b.flush(_buttons(e, tr, language_names), edit_of=e.ask if e.update else None, ask=e.ask)
        elif isinstance(e, ev.Reask):
            b.flush()
            b.say(text_of(texts.reason_msgid(e.reason), None, e.params, tr))
            buttons: Buttons = []
            if e.offer_skip_or_menu:
                b.say(tr.gettext(texts.TRIES_EXHAUSTED))
                buttons = [
                    [
                        (tr.gettext(texts.SKIP), f"{e.ask}:{skip_index(e.n_choices)}"),
                        (tr.gettext(texts.MENU), f"{e.ask}:{menu_index(e.n_choices)}"),
                    ]
                ]
            b.flush(buttons, ask=e.ask if buttons else None)
        elif isinstance(e, ev.Stale):
            b.flush()
            b.say(tr.gettext(texts.STALE))
            b.flush()
        elif isinstance(e, ev.ReminderDue):
            b.say(tr.gettext(e.msgid, e.context))
            b.flush()
        elif isinstance(e, ev.Expired):
            b.say(tr.gettext(texts.EXPIRED))
            b.flush()
        # SaveAnswer, SetProfile, Forward, ChooseLanguage: nothing to show
    b.flush()
    return b.out
