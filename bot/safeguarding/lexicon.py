"""Load and check `flows/safeguarding.yaml`: the crisis phrases and the help answer.

Every mistake an admin can make is reported as a Problem at its file:line:col, never
as a traceback. Broken phrases are left out and the rest still load, so one typo
does not switch off crisis detection; `flows check` and start-up refuse the file
while it has problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.engine.model import MAX_LABEL
from bot.base.problems import Problem, did_you_mean
from bot.safeguarding.matcher import CATEGORIES, Match, Matcher, Phrase, PhraseError, compile_phrase
from bot.safeguarding.normalize import normalize
from bot.base.settings import get_settings
from bot.base.yamlsource import YamlDoc, parse_yaml, read_text

CONTEXT = "safeguarding/help"
TOP_KEYS = ("help", "phrases")
HELP_KEYS = ("text", "helplines", "button")
HELPLINE_KEYS = ("id", "text")
BUTTON_KEYS = ("label",)
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Helpline:
    id: str
    text: str


@dataclass(frozen=True)
class Help:
    """The answer to a crisis message, in English source form (translated via gettext)."""

    text: str
    helplines: tuple[Helpline, ...]
    button_label: str

    @staticmethod
    def context(key: str) -> str:
        """The gettext context of a help string: key is "text", "button" or a helpline id."""
        return f"{CONTEXT}/{key}"


class Lexicon:
    """The crisis phrases of all languages and the help answer, ready to match."""

    def __init__(self, matcher: Matcher, help: Help, help_lines: dict[str, int]) -> None:
        self.help = help
        self._matcher = matcher
        self._help_lines = help_lines

    def __len__(self) -> int:
        return len(self._matcher)

    def match(self, text: str) -> Match | None:
        """The most severe crisis phrase in `text` (any language), or None."""
        return self._matcher.match(text)

    @staticmethod
    def is_safe_word(text: str, safe_word: str | None) -> bool:
        """True when the whole message is the configured safe word (folded like phrases)."""
        if not safe_word:
            return False
        wanted = normalize(safe_word)
        return bool(wanted) and normalize(text) == wanted

    def help_contexts(self) -> list[tuple[str, str, int]]:
        """(context, msgid, line) of each help string, in the order they are shown."""
        keys = [("text", self.help.text)]
        keys += [(h.id, h.text) for h in self.help.helplines]
        keys.append(("button", self.help.button_label))
        return [(Help.context(k), msgid, self._help_lines.get(k, 1)) for k, msgid in keys]


def load_lexicon(path: str | Path, languages: Sequence[str] | None = None) -> tuple[Lexicon | None, list[Problem]]:
    """Read the lexicon. None only when the file is unusable (unreadable, bad YAML, no help).

    `languages` are the codes phrases may be given for (default: the LANGUAGES setting,
    so a ninth language needs no code)."""
    name = str(path)
    source, problems = read_text(path, name)
    return parse_lexicon(source, name, languages) if source is not None else (None, problems)


def validate_lexicon(path: str | Path, languages: Sequence[str] | None = None) -> list[Problem]:
    """All problems of the lexicon file, sorted by position; empty when it is fine."""
    return load_lexicon(path, languages)[1]


def parse_lexicon(
    source: str, file: str, languages: Sequence[str] | None = None
) -> tuple[Lexicon | None, list[Problem]]:
    doc, problems = parse_yaml(source, file)
    if doc is None:
        return None, problems
    checker = _Checker(doc, source.splitlines(), tuple(languages or get_settings().languages))
    lexicon = checker.run()
    return lexicon, sorted(set(checker.problems))


def _suggest_language(code: Any, languages: Sequence[str]) -> str:
    """Did-you-mean for a language code; "fa" or "FA-af" also find "fa_AF"."""
    key = str(code).casefold().replace("-", "_")
    close = [lang for lang in languages if lang.casefold() == key or lang.casefold().startswith(key + "_")]
    return f" (did you mean '{close[0]}'?)" if len(close) == 1 else did_you_mean(code, languages)


class _Checker:
    def __init__(self, doc: YamlDoc, lines: list[str], languages: tuple[str, ...]) -> None:
        self.doc = doc
        self.lines = lines
        self.languages = languages
        self.problems: list[Problem] = []
        self.help_lines: dict[str, int] = {}

    def report(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def mapping(self, path: tuple[Any, ...], value: Any, keys: tuple[str, ...], what: str) -> dict[str, Any] | None:
        """`value` as a mapping with only known keys (unknown ones reported), or None."""
        if not isinstance(value, dict):
            self.report(path, f"{what} must be a mapping with keys: {', '.join(keys)}")
            return None
        for key in value:
            if key not in keys:
                self.report(path + (key,), f"unknown key {key!r} in {what}{did_you_mean(key, keys)}", key=True)
        return value

    def text(self, path: tuple[Any, ...], value: Any, what: str) -> str | None:
        if value is None:
            self.report(path, f"{what} is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.report(path, f"{what} must be a non-empty text")
            return None
        return value.strip()

    def run(self) -> Lexicon | None:
        top = self.mapping((), self.doc.data, TOP_KEYS, "the safeguarding file")
        if top is None:
            return None
        help_ = self.help(top.get("help"))
        phrases = self.phrases(top.get("phrases"))
        if help_ is None:
            return None
        return Lexicon(Matcher(phrases), help_, self.help_lines)

    # -- help ---------------------------------------------------------------

    def help(self, value: Any) -> Help | None:
        path: tuple[Any, ...] = ("help",)
        if value is None:
            self.report((), "'help' is missing: the message, helplines and button shown in a crisis")
            return None
        data = self.mapping(path, value, HELP_KEYS, "'help'")
        if data is None:
            return None
        text = self.text(path + ("text",), data.get("text"), "help 'text'")
        self.help_lines["text"] = self.doc.where(path + ("text",))[0]
        helplines = self.helplines(data.get("helplines"))
        label = self.button(data.get("button"))
        if text is None or helplines is None or label is None:
            return None
        return Help(text, tuple(helplines), label)

    def helplines(self, value: Any) -> list[Helpline] | None:
        path: tuple[Any, ...] = ("help", "helplines")
        if not isinstance(value, list) or not value:
            self.report(path, "'helplines' must be a list of {id, text} entries (at least one)")
            return None
        result: list[Helpline] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            data = self.mapping(path + (i,), item, HELPLINE_KEYS, "a helpline")
            if data is None:
                continue
            ident, text = data.get("id"), self.text(path + (i, "text"), data.get("text"), "helpline 'text'")
            if not isinstance(ident, str) or not _ID.match(ident) or ident in ("text", "button"):
                self.report(
                    path + (i, "id"),
                    "helpline 'id' must be a lower-case name like 'bris' (letters, digits, _; "
                    "not 'text' or 'button'): it names the translation context",
                )
                continue
            line = self.doc.where(path + (i, "id"))[0]
            if ident in seen:
                self.report(path + (i, "id"), f"duplicate helpline id {ident!r} (also at line {seen[ident]})")
                continue
            seen[ident] = line
            if text is not None:
                self.help_lines[ident] = self.doc.where(path + (i, "text"))[0]
                result.append(Helpline(ident, text))
        return result or None  # a broken entry is reported; the others still help

    def button(self, value: Any) -> str | None:
        path: tuple[Any, ...] = ("help", "button")
        data = self.mapping(path, value, BUTTON_KEYS, "'button'")
        if data is None:
            return None
        label = self.text(path + ("label",), data.get("label"), "button 'label'")
        if label is not None and len(label) > MAX_LABEL:
            self.report(path + ("label",), f"button 'label' is {len(label)} characters; at most {MAX_LABEL}")
        self.help_lines["button"] = self.doc.where(path + ("label",))[0]
        return label

    # -- phrases ------------------------------------------------------------

    def phrases(self, value: Any) -> list[Phrase]:
        path: tuple[Any, ...] = ("phrases",)
        if value is None:
            self.report((), "'phrases' is missing: crisis phrases per language and category")
            return []
        if not isinstance(value, dict):
            self.report(path, "'phrases' must map languages to categories to lists of phrases")
            return []
        result: list[Phrase] = []
        seen: dict[str, tuple[int, str]] = {}
        for lang, categories in value.items():
            if lang not in self.languages:
                self.report(
                    path + (lang,), f"unknown language {lang!r}{_suggest_language(lang, self.languages)}", key=True
                )
                continue
            cats = self.mapping(path + (lang,), categories, CATEGORIES, f"language {lang!r}")
            for cat, items in (cats or {}).items():
                if cat not in CATEGORIES:
                    continue  # reported by mapping() with a did-you-mean
                result += self.phrase_list(path + (lang, cat), lang, cat, items, seen)
        return result

    def phrase_list(
        self, path: tuple[Any, ...], lang: str, cat: str, items: Any, seen: dict[str, tuple[int, str]]
    ) -> list[Phrase]:
        if not isinstance(items, list):
            self.report(path, f"'{cat}' must be a list of phrases (one '- phrase' per line)")
            return []
        result = []
        for i, pattern in enumerate(items):
            here = path + (i,)
            if not isinstance(pattern, str):
                self.report(here, "a phrase must be text (put it in quotes if YAML reads it otherwise)")
                continue
            try:
                compiled = compile_phrase(pattern)
            except PhraseError as exc:
                self.report_at(here, exc.offset, exc.message)
                continue
            line = self.doc.where(here)[0]
            if compiled.regex in seen:
                first_line, where = seen[compiled.regex]
                self.report(here, f"duplicate phrase {pattern!r}: the same as line {first_line} ({where})")
                continue
            seen[compiled.regex] = (line, f"{lang}/{cat}")
            result.append(Phrase(f"{lang}/{cat}/{i}", cat, lang, pattern, compiled.regex, compiled.anchors, line))
        return result

    def report_at(self, path: tuple[Any, ...], offset: int, message: str) -> None:
        """Report at `offset` characters into a one-line scalar (after its opening quote)."""
        line, col = self.doc.where(path)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        quoted = col <= len(text) and text[col - 1] in "'\""
        self.problems.append(Problem(self.doc.file, line, col + offset + int(quoted), message))
