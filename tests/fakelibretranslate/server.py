"""The fake LibreTranslate server: an aiohttp app following LibreTranslate's HTTP API.

- `GET /languages`: `[{"code", "name", "targets"}]`, by default the languages of a stock
  LibreTranslate with Argos models (Arabic, Persian, Ukrainian, Swedish, English, … but
  no Pashto, Somali or Tigrinya).
- `POST /translate`, JSON or form: `q` (a string or a list), `source` (a code or `auto`),
  `target`, `format` (`text` | `html`), `api_key`. 200 `{"translatedText": …}` (with
  `detectedLanguage` for `auto`); 400 `{"error": "Invalid request: missing q parameter"}`,
  `"xx is not supported"`; with `api_keys` set: 403 `{"error": "Invalid API key"}` for
  an unknown key and 400 for a missing one (as LibreTranslate's `--api-keys
  --require-api-key-secret` does); 429 `{"error": "Slowdown: …"}`; 500
  `{"error": "Cannot translate text: …"}`.

Modes: `down` (every translation answers 500), `fail_next(n, status)`, `slow` (seconds
before answering), `unreachable()` is the caller's: stop the server. `received` logs
every text it was sent, so a test can check what left the bot.

The "translation" is made up and recognisable: `[ar→sv] the text`.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

STOCK = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
}


@dataclass
class Received:
    """One text the fake was asked to translate."""

    q: str
    source: str
    target: str
    format: str


@dataclass
class FakeLibreTranslate:
    languages: dict[str, str] = field(default_factory=lambda: dict(STOCK))
    api_keys: set[str] = field(default_factory=set)  # non-empty: a key is required
    char_limit: int = -1
    down: bool = False
    slow: float = 0.0
    received: list[Received] = field(default_factory=list)
    language_requests: int = 0
    _fail: list[int] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, n: int, status: int = 500) -> None:
        """The next `n` translation requests answer `status` (429, 500, …)."""
        self._fail += [status] * n

    def texts(self) -> list[str]:
        return [r.q for r in self.received]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/languages", self._languages)
        app.router.add_post("/translate", self._translate)
        return app

    async def start(self, port: int = 0) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        if not port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        self.port = port
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _languages(self, request: web.Request) -> web.Response:
        self.language_requests += 1
        return web.json_response(
            [
                {"code": code, "name": name, "targets": sorted(c for c in self.languages if c != code)}
                for code, name in sorted(self.languages.items())
            ]
        )

    async def _translate(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return _error(400, "Invalid JSON format")
        else:
            body = dict(await request.post())
        if self.api_keys:
            key = body.get("api_key")
            if key and key not in self.api_keys:
                return _error(403, "Invalid API key")
            if not key:
                return _error(400, "Please contact the server operator to get an API key")
        for name in ("q", "source", "target"):
            if not body.get(name):
                return _error(400, f"Invalid request: missing {name} parameter")
        q, source, target = body["q"], body["source"], body["target"]
        text_format = body.get("format") or "text"
        texts = q if isinstance(q, list) else [q]
        if not all(isinstance(t, str) for t in texts):
            return _error(400, "Invalid request: q must be a string or a list of strings")
        chars = sum(len(t) for t in texts)
        if self.char_limit != -1 and chars > self.char_limit:
            return _error(400, f"Invalid request: request ({chars}) exceeds text limit ({self.char_limit})")
        if source != "auto" and source not in self.languages:
            return _error(400, f"{source} is not supported")
        if target not in self.languages:
            return _error(400, f"{target} is not supported")
        if text_format not in ("text", "html"):
            return _error(400, f"{text_format} format is not supported")
        for text in texts:
            self.received.append(Received(text, source, target, text_format))
        if self.slow:
            await asyncio.sleep(self.slow)
        if self._fail:
            status = self._fail.pop(0)
            return _error(status, "Slowdown: 1 per 1 second" if status == 429 else "Cannot translate text: fake fault")
        if self.down:
            return _error(500, "Cannot translate text: the fake is down")
        detected = "en" if source == "auto" else source
        out = [f"[{detected}→{target}] {text}" for text in texts]
        answer: dict[str, Any] = {"translatedText": out if isinstance(q, list) else out[0]}
        if source == "auto":
            answer["detectedLanguage"] = {"confidence": 90.0, "language": detected}
        return web.json_response(answer)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
