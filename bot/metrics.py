"""Prometheus metrics of one bot process. Labels never hold personal data: only
method names, flow ids, language codes and outcome kinds."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("sammanbot_updates_total", "Updates handled", ["kind"], registry=r)
        self.update_errors = Counter("sammanbot_update_errors_total", "Updates that failed", registry=r)
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
        self.outbox_oldest = Gauge(
            "sammanbot_outbox_oldest_seconds", "Age of the oldest unsent outbox row", registry=r
        )
        self.sessions = Gauge(
            "sammanbot_sessions", "Active sessions", ["flow", "language"], registry=r
        )
        self.missing_translations = Gauge(
            "sammanbot_missing_translations", "Strings shown in a fallback language", registry=r
        )
        self.safeguarding = Counter(
            "sammanbot_safeguarding_alerts_total", "Crisis messages", ["category"], registry=r
        )

    def api_outcome(self, method: str, outcome: object | None) -> None:
        kind = getattr(outcome, "kind", None) or "ok"
        self.api_calls.labels(method=method, outcome=kind).inc()
        if kind == "retry_after":
            self.rate_limited.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
