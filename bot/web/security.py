"""Security headers on every dashboard response: CSP, no framing, no sniffing, no referrer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

# No scripts at all: the dashboard works without JavaScript.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# pygal's SVG carries its own <style>; as an <img> it cannot run scripts.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _apply(response: web.StreamResponse) -> None:
    is_svg = (response.content_type or "").startswith("image/svg")
    response.headers.setdefault("Content-Security-Policy", SVG_CSP if is_svg else PAGE_CSP)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")


async def _on_prepare(_request: web.Request, response: web.StreamResponse) -> None:
    _apply(response)


def install(app: web.Application) -> None:
    """Add the headers just before each response of `app` is sent (also streamed ones and errors)."""
    app.on_response_prepare.append(_on_prepare)
