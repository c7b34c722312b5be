"""Simulated youth for the load benchmarks: each acts, then waits for the bot's next
question before acting again. Every action's push time is kept, so the answer time is
read afterwards from the fake's call log (arrival of the reply).

`Thinking` gives the pause a person takes before each action (reading the question,
tapping a button, typing an idea); without it the youth act at machine speed, which
measures throughput under saturation rather than what a youth waits.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

IDEA = "A homework club in the library after school, with volunteers who speak many languages."
# "Share an idea" from /start, as in tests/integration/test_app_process.py.
SHARE_IDEA = ["/start", "English", "16–17", "Yes", "No", "Share an idea", "School", IDEA, "Me", "Done", "Yes"]
BUTTONS = frozenset(SHARE_IDEA) - {IDEA, "/start"}
STEP_TIMEOUT = 300.0


@dataclass
class Thinking:
    """Seconds a person pauses before an action: a first message somewhere in `ramp`,
    a button press after reading, a longer pause before a typed text. Seeded per youth."""

    ramp: float = 10.0
    press: tuple[float, float] = (3.0, 12.0)
    typing: tuple[float, float] = (20.0, 40.0)

    def scaled(self, factor: float) -> Thinking:
        return Thinking(
            self.ramp * factor,
            (self.press[0] * factor, self.press[1] * factor),
            (self.typing[0] * factor, self.typing[1] * factor),
        )

    def pauses(self, seed: int) -> Any:
        rnd = random.Random(seed)
        first = True

        def pause(action: str) -> float:
            nonlocal first
            if first:
                first = False
                return rnd.uniform(0, self.ramp)
            low, high = self.press if action.startswith("/") or action in BUTTONS else self.typing
            return rnd.uniform(low, high)

        return pause


def no_pause(action: str) -> float:
    return 0.0


@dataclass
class Trace:
    chat_id: int
    pushed: list[float] = field(default_factory=list)  # time.time() of each action


def _question(user: Any) -> Any:
    for message in reversed(user.messages):
        if message.keyboard:
            return message
    return None


def _has_button(message: Any, label: str) -> bool:
    try:
        message.button(label)
    except LookupError:
        return False
    return True


async def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    delay = 0.01
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.1)


def _moved(user: Any, before_q: Any, before_edits: int, before_count: int, query_id: Any, nxt: str | None) -> bool:
    """Whether the bot has answered the youth's last action (and shows the next one)."""
    q = _question(user)
    changed = len(user.messages) > before_count or (
        q is not None and before_q is not None and q.message_id == before_q.message_id and q.edit_count != before_edits
    )
    if not changed:
        return False
    # a press is fully handled once its callback query is answered (the bot's last call)
    if query_id is not None and query_id in user.server.pending_callbacks:
        return False
    if nxt is None or nxt == IDEA or nxt.startswith("/"):
        return True
    return q is not None and _has_button(q, nxt)


async def share_idea(user: Any, trace: Trace, steps: list[str] = SHARE_IDEA, pause: Any = no_pause) -> None:
    """One youth through onboarding and "Share an idea"; waits for each next question."""
    for i, action in enumerate(steps):
        if seconds := pause(action):
            await asyncio.sleep(seconds)
        before_q = _question(user)
        before_edits = before_q.edit_count if before_q else 0
        before_count = len(user.messages)
        trace.pushed.append(time.time())
        query_id = None
        if action.startswith("/"):
            await user.send_command(action)
        elif action == IDEA:
            await user.send_text(action)
        else:
            query_id = await user.press(action)
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        moved = partial(_moved, user, before_q, before_edits, before_count, query_id, nxt)
        await _until(moved, f"no answer to {action!r} for chat {user.id}")
        if nxt == IDEA:  # a text question: the prompt is a new message without buttons
            await _until(lambda: not user.messages[-1].keyboard, f"no text prompt for chat {user.id}")


def _more_messages(user: Any, before: int) -> bool:
    return len(user.messages) > before


async def echo_chat(user: Any, trace: Trace, messages: int, pause: Any = no_pause) -> None:
    """The echo bot's workload: write, wait for the echo, write again."""
    for n in range(messages):
        if seconds := pause("/start" if n == 0 else SHARE_IDEA[n % len(SHARE_IDEA)]):
            await asyncio.sleep(seconds)
        before = len(user.messages)
        trace.pushed.append(time.time())
        await user.send_text(f"Hello number {n}, this is an invented youth writing.")
        await _until(partial(_more_messages, user, before), f"no echo for chat {user.id}")


def answer_times(traces: list[Trace], replies: dict[int, list[float]]) -> list[float]:
    """Seconds from each action's push to the first reply call for that chat after it."""
    from bench.common import first_after

    out = []
    for trace in traces:
        times = replies.get(trace.chat_id, [])
        for pushed in trace.pushed:
            at = first_after(times, pushed)
            if at is not None:
                out.append(at - pushed)
    return out
