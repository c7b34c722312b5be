"""The error a Bot API call answers with, shaped like Telegram's error responses."""

from __future__ import annotations

from typing import Any

# Answers that mean the bot made a call Telegram would refuse: they are recorded
# as rejected calls. 403/409/429/5xx describe the world (blocked user, flood,
# outage), not a mistake in the call.
REJECTING_STATUSES = frozenset({400, 401, 404})


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram description, optional parameters."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    @property
    def rejects_call(self) -> bool:
        return self.status in REJECTING_STATUSES

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")
