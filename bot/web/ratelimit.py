"""Failed-login limits, per account and per client address, kept in the database.

Each account and each client address has its own count of failures in a row. Past a
few free ones the next login waits, and every further failure doubles the wait, up to
a longest one; a correct password clears the account's count (never the address's,
or one good account would reset an attacker's address). Failures are forgotten a
while after the last one. An account's lock holds for that account only; an address
is allowed many more failures than an account, since staff behind one proxy or
network share it (set TRUSTED_PROXIES so that each is counted by their own address).

The counts live in `login_failures`, so they hold across processes and restarts. Its
keys are HMACs under the deployment's secret (the pseudonym key), never names or
addresses, and not plain hashes either: a copy of the database alone does not tell
which of the four billion IPv4 addresses a staff member logged in from.

An attempt is counted before its password is checked, and a count that grew while
this attempt was let in (several guesses sent at once) refuses it: parallel guesses
cannot slip past the limit in the time one password check takes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import staff as repo


@dataclass(frozen=True)
class Backoff:
    free: int  # failures in a row before the first wait
    first: timedelta  # the first wait; each further failure doubles it
    longest: timedelta
    forget: timedelta  # failures are forgotten this long after the last one

    def wait_until(self, failures: int, last_at: datetime) -> datetime | None:
        if failures < self.free:
            return None
        return last_at + min(self.first * 2 ** min(failures - self.free, 30), self.longest)


ACCOUNT = Backoff(free=5, first=timedelta(minutes=1), longest=timedelta(hours=1), forget=timedelta(days=1))
ADDRESS = Backoff(free=30, first=timedelta(minutes=1), longest=timedelta(minutes=15), forget=timedelta(hours=1))


def _key(secret: bytes, kind: str, value: str) -> str:
    return f"{kind}:" + hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def account_key(secret: bytes, name: str) -> str:
    return _key(secret, "account", name.strip().casefold())


def address_key(secret: bytes, address: str | None) -> str:
    return _key(secret, "address", address or "-")


@dataclass(frozen=True)
class Verdict:
    """What the limiter says of one attempt: how long to wait (None: go on), and the
    failures it saw per key, to tell later whether others were counted meanwhile."""

    wait: timedelta | None
    seen: dict[str, int]


class LoginLimiter:
    def __init__(
        self, clock: Callable[[], datetime], secret: bytes, *, account: Backoff = ACCOUNT, address: Backoff = ADDRESS
    ) -> None:
        self.clock = clock
        self.secret = secret
        self.rules = {"account": account, "address": address}

    def _keys(self, name: str, address: str | None) -> dict[str, Backoff]:
        return {
            account_key(self.secret, name): self.rules["account"],
            address_key(self.secret, address): self.rules["address"],
        }

    async def check(self, s: AsyncSession, name: str, address: str | None) -> Verdict:
        """Whether this name, from this address, must wait before trying, and for how long."""
        now = self.clock()
        rules = self._keys(name, address)
        ends = []
        seen = dict.fromkeys(rules, 0)
        for row in await repo.login_failures(s, list(rules)):
            rule = rules[row.key]
            if now - row.last_at >= rule.forget:
                continue
            seen[row.key] = row.failures
            until = rule.wait_until(row.failures, row.last_at)
            if until is not None and until > now:
                ends.append(until)
        return Verdict(max(ends) - now if ends else None, seen)

    async def attempt(self, s: AsyncSession, name: str, address: str | None, verdict: Verdict) -> timedelta | None:
        """Count this attempt as a failure before its password is checked (a correct one
        is taken back by `succeeded`). A wait when other attempts were counted since
        `check` and took the count past the free ones; None: check the password."""
        now = self.clock()
        wait: timedelta | None = None
        for key, rule in self._keys(name, address).items():
            failures = await repo.count_login_failure(s, key, now=now, forget_before=now - rule.forget)
            if failures - 1 > verdict.seen.get(key, 0) and failures > rule.free:
                wait = rule.first if wait is None else max(wait, rule.first)
        await repo.forget_login_failures(s, now - max(r.forget for r in self.rules.values()))
        return wait

    async def succeeded(self, s: AsyncSession, name: str, address: str | None) -> None:
        """A correct password clears that account's failures, and takes back the count
        of this attempt from the address (whose other failures stay)."""
        await repo.clear_login_failures(s, account_key(self.secret, name))
        await repo.uncount_login_failure(s, address_key(self.secret, address))
