"""Saving one reviewed entry into a .po file, touching only that entry's lines.

Babel's `write_po` rewrites a whole file (wrapping, order, comments), so a review
saved with it would show in a diff as a change to every entry. Here the file is parsed
with Babel only to find the entry; its block of lines (from its first comment to the
blank line after it) is rewritten: the `fuzzy` flag and the `#|` previous-msgid lines
go, a `# reviewed: <role>, <date>` translator comment replaces an earlier one, and the
msgstr lines are written as Babel writes them (`normalize`, the same width), so a
later `i18n update` leaves them as they are. Every other byte stays.

Two people editing the same entry: the form carries the entry's `digest` (of its lines
as they were shown); a save whose digest no longer matches is refused (`EntryChanged`)
and changes nothing. The check and the write happen under an exclusive lock of the
file (flock), the write through a file beside it and a rename.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import normalize, read_po

from bot.i18n.catalogs import DOMAIN

WIDTH = 100  # as bot/i18n/cli.py writes the catalogs
REVIEWED = "reviewed:"
NOTE_MAX = 300


class EntryChanged(Exception):
    """The entry changed since the form was shown (another reviewer, or a file edit)."""


class EntryNotFound(Exception):
    """The catalog has no such entry (it may need `python -m bot i18n update`)."""


@dataclass(frozen=True)
class Located:
    """One entry of a catalog file: the parsed message and its lines [start, end)."""

    message: Message
    start: int
    end: int
    digest: str


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def digest_of(lines: Sequence[str]) -> str:
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()[:20]


def block_span(lines: Sequence[str], msgid_line: int) -> tuple[int, int]:
    """The entry around 1-based `msgid_line`: back to the blank line before, on to the one after."""
    start = end = msgid_line - 1
    while start > 0 and lines[start - 1].strip():
        start -= 1
    while end < len(lines) and lines[end].strip():
        end += 1
    return start, end


def parse(text: str, lang: str) -> Catalog:
    from io import BytesIO

    return read_po(BytesIO(text.encode("utf-8")), locale=lang, domain=DOMAIN)


def locate_all(text: str, lang: str) -> dict[tuple[str | None, str], Located]:
    """Every entry of the file, by (context, singular msgid)."""
    lines = _lines(text)
    found = {}
    for message in parse(text, lang):
        if not message.id or message.lineno is None:
            continue
        start, end = block_span(lines, message.lineno)
        singular = message.id if isinstance(message.id, str) else message.id[0]
        found[(message.context, singular)] = Located(message, start, end, digest_of(lines[start:end]))
    return found


def _quoted(keyword: str, value: str) -> list[str]:
    return [f"{keyword} {normalize(value, prefix='', width=WIDTH)}\n"]


def _msgstr_lines(message: Message, forms: Sequence[str]) -> list[str]:
    if isinstance(message.id, str):
        return _quoted("msgstr", forms[0])
    return [line for i, form in enumerate(forms) for line in _quoted(f"msgstr[{i}]", form)]


def _comment_lines(text: str) -> list[str]:
    return [f"# {line}\n" for line in textwrap.wrap(text, WIDTH - 2, break_long_words=False)]


def rewrite_block(
    block: Sequence[str],
    message: Message,
    *,
    forms: Sequence[str] | None,
    role: str,
    reviewed: bool,
    note: str | None,
    today: date,
) -> list[str]:
    """The entry's new lines: msgstr replaced by `forms` (when given); when `reviewed`,
    the fuzzy flag and previous-msgid lines gone and the reviewer's `role` noted; a
    translator comment (with the role) added when `note`."""
    comments: list[str] = []  # translator comments first, as Babel writes them
    rest: list[str] = []
    in_msgstr = False
    for line in block:
        if line.startswith("msgstr"):
            in_msgstr = True
            if forms is None:
                rest.append(line)
            continue
        if in_msgstr and line.startswith('"'):
            if forms is None:
                rest.append(line)
            continue
        in_msgstr = False
        if line.startswith("# ") or line.rstrip("\r\n") == "#":
            if not (reviewed and line[2:].startswith(REVIEWED)):
                comments.append(line)
        elif reviewed and line.startswith("#|"):
            continue
        elif reviewed and line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if flags:
                rest.append(f"#, {', '.join(flags)}\n")
        else:
            rest.append(line)
    if note:
        comments += _comment_lines(f"note ({role}, {today.isoformat()}): {note}")
    if reviewed:
        comments.append(f"# {REVIEWED} {role}, {today.isoformat()}\n")
    if forms is not None:
        rest += _msgstr_lines(message, forms)
    return comments + rest


@contextmanager
def _locked(path: Path) -> Iterator[str]:
    """The file's text, read under an exclusive lock held until the block ends. A file
    replaced while we waited for the lock is opened again (its new version is locked)."""
    while True:
        with path.open("rb") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                if os.fstat(fh.fileno()).st_ino != path.stat().st_ino:
                    continue
                yield fh.read().decode("utf-8")
                return
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _replace(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".saving")
    partial.write_bytes(text.encode("utf-8"))
    os.chmod(partial, path.stat().st_mode & 0o777)
    partial.replace(path)


def save_entry(
    path: Path,
    lang: str,
    context: str | None,
    msgid: str,
    digest: str,
    *,
    forms: Sequence[str] | None,
    role: str,
    reviewed: bool = True,
    note: str | None = None,
    today: date | None = None,
) -> str:
    """Write one entry's review (or only a comment: `reviewed=False`) into `path`, with
    the staff member's `role` (never a name); returns the entry's new digest.

    Raises EntryNotFound, or EntryChanged when the entry's lines no longer have `digest`.
    Checking what the forms say is the caller's job (bot.i18n.checks)."""
    if note is not None:
        note = " ".join(note.split())[:NOTE_MAX] or None
    with _locked(path) as text:
        found = locate_all(text, lang).get((context, msgid))
        if found is None:
            raise EntryNotFound(f"{path} has no entry for {context or 'bot text'}")
        if found.digest != digest:
            raise EntryChanged(f"{path}: the entry {context or msgid[:40]!r} changed since it was opened")
        lines = _lines(text)
        block = rewrite_block(
            lines[found.start : found.end],
            found.message,
            forms=forms,
            role=role,
            reviewed=reviewed,
            note=note,
            today=today or date.today(),
        )
        if block == lines[found.start : found.end]:
            return found.digest
        _replace(path, "".join([*lines[: found.start], *block, *lines[found.end :]]))
        return digest_of(block)


def compile_mo(path: Path, lang: str, use_fuzzy: bool) -> Path:
    """The .mo beside the .po (for tools that want one; the bot reads the .po)."""
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    mo = path.with_suffix(".mo")
    partial = mo.with_name(mo.name + ".saving")
    with partial.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=use_fuzzy)
    partial.replace(mo)
    return mo
