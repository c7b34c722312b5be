"""CSRF tokens: one per staff session (server-side), and a double-submit cookie for login.

Every POST form carries `csrf_token`; a missing or wrong token is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

FIELD = "csrf_token"
LOGIN_COOKIE = "sb_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: object) -> bool:
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


async def check_form(request: web.Request, expected: str | None) -> None:
    """Raise 403 unless the POSTed form's token equals `expected`."""
    form = await request.post()
    if not tokens_match(expected, form.get(FIELD)):
        raise web.HTTPForbidden(
            text="Forbidden: the form's security token is missing or wrong. Go back, reload the page and try again."
        )
