"""LibreTranslate (the self-hostable engine on Argos/OpenNMT models) over its HTTP API:
`GET /languages` and `POST /translate` (JSON: q, source, target, format, api_key).

Every failure is a `TranslationFailed` whose message says what went wrong for an admin
(status and LibreTranslate's own error text, never the text sent).
"""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp

from bot.forwarding.translations import Languages, TranslationFailed

ERROR_MAX = 160


class LibreTranslate:
    name = "libretranslate"

    def __init__(self, url: str, api_key: str | None = None, *, timeout: float = 20.0) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def languages(self) -> Languages:
        rows = await self._call("GET", "/languages", None)
        if not isinstance(rows, list):
            raise TranslationFailed("LibreTranslate /languages: not a list")
        return {
            str(row["code"]): frozenset(str(t) for t in row.get("targets") or ())
            for row in rows
            if isinstance(row, dict) and "code" in row
        }

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        body: dict[str, object] = {"q": list(texts), "source": source, "target": target, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = await self._call("POST", "/translate", body)
        out = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(out, str):
            out = [out]
        if not isinstance(out, list) or len(out) != len(texts) or not all(isinstance(t, str) for t in out):
            raise TranslationFailed("LibreTranslate /translate: an answer without translatedText for each text")
        return out

    async def _call(self, method: str, path: str, body: object | None) -> object:
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as http:
                async with http.request(method, self.url + path, json=body) as resp:
                    try:
                        answer = await resp.json(content_type=None)
                    except ValueError:
                        answer = None
                    if resp.status != 200:
                        error = answer.get("error") if isinstance(answer, dict) else None
                        raise TranslationFailed(
                            f"LibreTranslate {path}: HTTP {resp.status} {str(error or '')[:ERROR_MAX]}".rstrip()
                        )
                    return answer
        except TranslationFailed:
            raise
        except TimeoutError:
            raise TranslationFailed(f"LibreTranslate {path}: no answer in {self.timeout.total:.0f}s") from None
        except aiohttp.ClientError as exc:
            raise TranslationFailed(f"LibreTranslate {path}: {type(exc).__name__}") from None
