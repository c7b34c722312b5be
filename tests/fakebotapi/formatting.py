"""Telegram's HTML parse mode: plain text and entities, or Telegram's "can't parse entities".

Only the tags and named entities the Bot API documents are accepted, tags must
nest properly and a raw `<` is an error, as on Telegram. Other parse modes pass
the text through unchanged (their markup is counted as text).
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from .errors import bad_request

_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text: list[str] = []
        self.entities: list[dict[str, Any]] = []
        self._open: list[tuple[str, int, dict[str, str | None]]] = []
        self._offset = 0

    def _fail(self, reason: str) -> None:
        raise bad_request(f"can't parse entities: {reason}")

    def _add(self, text: str) -> None:
        self.text.append(text)
        self._offset += utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self._fail(f'Unsupported start tag "{tag}"')
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            self._fail('Unsupported start tag "span"')
        self._open.append((tag, self._offset, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            self._fail(f'Unmatched end tag "{tag}"')
        _, start, attrs = self._open.pop()
        entity: dict[str, Any] = {"type": _TAGS[tag], "offset": start, "length": self._offset - start}
        if tag == "a":
            if not attrs.get("href"):
                self._fail("text link URL is empty")
            entity["url"] = attrs["href"]
        if entity["length"]:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self._fail("character '<' must be escaped as &lt;")
        self._add(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED:
            self._fail(f'Unsupported HTML entity "&{name};"')
        self._add(_NAMED[name])

    def handle_charref(self, name: str) -> None:
        self._add(html.unescape(f"&#{name};"))


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser._open:
        parser._fail(f'Can\'t find end tag corresponding to start tag "{parser._open[-1][0]}"')
    if parser.rawdata:
        parser._fail("unfinished tag")
    return "".join(parser.text), sorted(parser.entities, key=lambda e: e["offset"])


def render(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The message text as Telegram stores it, and its entities."""
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text, []
