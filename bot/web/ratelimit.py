"""Failed-login limits per staff name and per client address (sliding window, in memory).

In memory is enough: the dashboard runs in one process per machine, and a restart
only forgets at most one window of failures.
"""
from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

MAX_KEYS = 10_000  # bounds memory under a flood of invented names


class LoginLimiter:
    def __init__(self, clock: Callable[[], datetime], *, max_failures: int = 5,
                 window: timedelta = timedelta(minutes=15)) -> None:
        self.clock = clock
        self.max_failures = max_failures
        self.window = window
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    @staticmethod
    def _keys(name: str, address: str | None) -> list[str]:
        return [f"name:{name.strip().casefold()}", f"addr:{address or '-'}"]

    def _recent(self, key: str) -> deque[datetime]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        cutoff = self.clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, name: str, address: str | None) -> bool:
        return any(len(self._recent(k)) >= self.max_failures for k in self._keys(name, address))

    def failed(self, name: str, address: str | None) -> None:
        now = self.clock()
        for key in self._keys(name, address):
            times = self._recent(key)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """A correct password clears that name's failures (not the address's)."""
        self._failures.pop(self._keys(name, None)[0], None)
