"""Prometheus metrics of one bot process. Labels never hold personal data: only
method names, flow ids, language codes and outcome kinds.

The database-backed gauges (outbox and inbox backlog, sessions per flow and
language) are set by `set_backlogs` from what /metrics reads when it is scraped
(`bot/web/system.py`, through the storage repositories).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

Handler = Callable[[Any, Any], Awaitable[None]]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("sammanbot_updates_total", "Updates handled", ["kind"], registry=r)
        self.update_errors = Counter(
            "sammanbot_update_errors_total",
            "Updates whose handling raised (kept as failed, or retried when the database was at fault)",
            registry=r,
        )
        self.latency = Histogram(
            "sammanbot_answer_latency_seconds",
            "From an update's arrival to its answer being queued",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.api_calls = Counter(
            "sammanbot_api_calls_total", "Bot API calls by outcome", ["method", "outcome"], registry=r
        )
        self.rate_limited = Counter("sammanbot_429_total", "429 answers from Telegram", registry=r)
        self.outbox_backlog = Gauge("sammanbot_outbox_backlog", "Unsent outbox rows", registry=r)
        self.outbox_oldest = Gauge("sammanbot_outbox_oldest_seconds", "Age of the oldest unsent outbox row", registry=r)
        self.inbox_backlog = Gauge("sammanbot_inbox_backlog", "Updates stored but not yet handled", registry=r)
        self.sessions = Gauge("sammanbot_sessions", "Active sessions", ["flow", "language"], registry=r)
        self.missing_translations = Gauge(
            "sammanbot_missing_translations", "Strings shown in a fallback language", registry=r
        )
        self.urgent_open = Gauge("sammanbot_urgent_open", "Urgent cards nobody has taken yet", registry=r)
        self.urgent_time_to_claim = Histogram(
            "sammanbot_urgent_time_to_claim_seconds",
            "From an urgent card to its claim",
            buckets=(60, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600, 86400, 3 * 86400),
            registry=r,
        )
        self.safeguarding = Counter("sammanbot_safeguarding_alerts_total", "Crisis messages", ["category"], registry=r)
        self.reloads = Counter(
            "sammanbot_content_reloads_total", "Reloads of flows and catalogs", ["outcome"], registry=r
        )
        self.translations = Counter(
            "sammanbot_translations_total",
            "Machine translation jobs by outcome (ok, cached, unsupported, error)",
            ["outcome"],
            registry=r,
        )
        self.translation_backlog = Gauge(
            "sammanbot_translation_backlog", "Machine translations queued but not yet made", registry=r
        )
        self.content_problems = Gauge(
            "sammanbot_content_problems",
            "Problems in the flow and catalog files on disk (the last good set is live while this is above 0)",
            registry=r,
        )

    def api_outcome(self, method: str, outcome: object | None) -> None:
        kind = getattr(outcome, "kind", None) or "ok"
        self.api_calls.labels(method=method, outcome=kind).inc()
        if kind == "retry_after":
            self.rate_limited.inc()

    def reloaded(self, problems: int) -> None:
        self.reloads.labels(outcome="problems" if problems else "ok").inc()
        self.content_problems.set(problems)

    def set_backlogs(
        self,
        outbox_backlog: tuple[int, datetime | None],
        inbox_pending: int,
        rows: Iterable[tuple[str, str | None, int]],
    ) -> None:
        """Backlogs and active sessions per flow and language (flow, language, count), read now."""
        count, oldest = outbox_backlog
        self.outbox_backlog.set(count)
        self.outbox_oldest.set((datetime.now(UTC) - oldest).total_seconds() if oldest else 0)
        self.inbox_backlog.set(inbox_pending)
        self.sessions.clear()
        for flow, language, n in rows:
            self.sessions.labels(flow=flow, language=language or "").set(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)
