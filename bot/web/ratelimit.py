"""Failed-login limits, per account and per client address, kept in the database.

Each account and each client address has its own count of failures in a row. Past a
few free ones the next login waits, and every further failure doubles the wait, up to
a longest one; a correct password clears the account's count (never the address's,
or one good account would reset an attacker's address). Failures are forgotten a
while after the last one. An account's lock holds for that account only; an address
is allowed many more failures than an account, since staff behind one proxy or
network share it (set TRUSTED_PROXIES so that each is counted by their own address).

The counts live in `login_failures` (no names or addresses: keys are hashes), so they
hold across processes and restarts.
"""
from __future__ import annotations

import hashlib
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


def account_key(name: str) -> str:
    return "account:" + hashlib.sha256(name.strip().casefold().encode()).hexdigest()


def address_key(address: str | None) -> str:
    return "address:" + hashlib.sha256((address or "-").encode()).hexdigest()


class LoginLimiter:
    def __init__(self, clock: Callable[[], datetime], *, account: Backoff = ACCOUNT,
                 address: Backoff = ADDRESS) -> None:
        self.clock = clock
        self.rules = {"account": account, "address": address}

    def _keys(self, name: str, address: str | None) -> dict[str, Backoff]:
        return {account_key(name): self.rules["account"], address_key(address): self.rules["address"]}

    async def wait(self, s: AsyncSession, name: str, address: str | None) -> timedelta | None:
        """How long this name, from this address, must wait before trying; None: not at all."""
        now = self.clock()
        rules = self._keys(name, address)
        ends = []
        for row in await repo.login_failures(s, list(rules)):
            rule = rules[row.key]
            until = rule.wait_until(row.failures, row.last_at) if now - row.last_at < rule.forget else None
            if until is not None and until > now:
                ends.append(until)
        return max(ends) - now if ends else None

    async def failed(self, s: AsyncSession, name: str, address: str | None) -> None:
        now = self.clock()
        for key, rule in self._keys(name, address).items():
            await repo.count_login_failure(s, key, now=now, forget_before=now - rule.forget)
        await repo.forget_login_failures(s, now - max(r.forget for r in self.rules.values()))

    async def succeeded(self, s: AsyncSession, name: str) -> None:
        """A correct password clears that account's failures (not the address's)."""
        await repo.clear_login_failures(s, account_key(name))
