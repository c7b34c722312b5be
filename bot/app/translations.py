"""The translation worker of a process: takes due translation jobs (storage/translations.py),
sends only the anonymised text of a submission's answers to the provider, stores the
translation with the submission, and then has the staff card show it (an edit of the
card through the outbox, or a second message where the card could not be sent).

One worker per deployment translates at a time (a lease, storage/leases.py), so several
processes on PostgreSQL never send a text twice; a text already translated is taken
from the cache by its hash. A provider that is down or slow delays jobs (backoff), never
loses them. The provider's languages are read at start and again while unknown, then
every LANGUAGES_EVERY seconds; a job whose language it lacks is "unsupported", never sent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app.followup_translations import work_followups
from bot.base.aio import wait_any
from bot.dialogue.services import Services
from bot.dialogue.translations import known_title, post_to_webhook, redraw_card
from bot.forwarding.translations import (
    MACHINE,
    Languages,
    MachineTranslator,
    TranslationFailed,
    backoff,
    can_translate,
    joined,
    provider_code,
    text_hash,
    texts_of,
    written_answers,
)
from storage import leases, submissions, translations

log = logging.getLogger(__name__)

BATCH = 20
IDLE = 2.0  # seconds between looks when nothing is due
CARD_WAIT = 1.0  # seconds before looking again for a card not yet sent
LANGUAGES_EVERY = 600.0


def _now() -> datetime:
    return datetime.now(UTC)


class TranslationWorker:
    def __init__(self, services: Services, translator: MachineTranslator, *, on_queued: Any = None) -> None:
        self.services = services
        self.translator = translator
        self.on_queued = on_queued or (lambda: None)  # pokes the sender
        self.languages: Languages | None = None
        self.languages_error: str | None = None
        self._languages_at: float | None = None
        self.leader = leases.Leader(services.db, "translations", ttl=30.0)
        self._wake = asyncio.Event()

    def poke(self) -> None:
        self._wake.set()

    async def refresh_languages(self) -> None:
        loop = asyncio.get_running_loop()
        if self.languages is not None and self._languages_at and loop.time() - self._languages_at < LANGUAGES_EVERY:
            return
        try:
            self.languages = await self.translator.languages()
            self.languages_error = None
        except TranslationFailed as exc:
            self.languages_error = str(exc)
            if self.languages is None:
                log.warning("translation languages not known yet: %s", exc)
        self._languages_at = loop.time()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    # every process knows the languages (a follow-up asked in any of them
                    # may be translated); only the leader translates
                    await self.refresh_languages()
                    held = await (self.leader.renew() if self.leader.held else self.leader.try_acquire())
                    if held:
                        await self.round(_now())
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("translation round failed (%s); retrying", type(exc).__name__)
                await wait_any(stop, self._wake, timeout=await self._pause())
        finally:
            await self.leader.release()

    async def _pause(self) -> float:
        try:
            async with self.services.sessionmaker() as s:
                at = await translations.next_due_at(s)
        except Exception:
            return IDLE
        if at is None:
            return IDLE
        return min(max((at - _now()).total_seconds(), 0.05), IDLE)

    async def round(self, now: datetime) -> int:
        """Work on every due job once; returns how many were looked at."""
        async with self.services.sessionmaker() as s:
            ids = [job.id for job in await translations.due(s, now, BATCH)]
        for job_id in ids:
            await self._work(job_id)
        if self.languages is not None and await work_followups(self.services, self.translator, now, BATCH):
            self.on_queued()
        return len(ids)

    async def _work(self, job_id: int) -> None:
        sm = self.services.sessionmaker
        async with sm() as s:
            job = await translations.job(s, job_id)
            sub = await submissions.get(s, job.submission_id) if job is not None else None
            if job is None or sub is None:
                return
            pending = job.status == "pending"
            source, target = job.source, job.target
            await self.services.campaign_flows.know(s, [sub.flow_id])  # a one-question campaign's: what was written
            texts = texts_of(sub.answers, written_answers(self.services.flowset.get(sub.flow_id)))
            keys = {name: text_hash(text, provider_code(source), provider_code(target)) for name, text in texts.items()}
            hits = await translations.cached(s, list(keys.values())) if pending else {}
        if pending:
            await self._translate(job_id, sub.id, source, target, texts, keys, hits)
        await self._show(job_id)

    async def _translate(
        self,
        job_id: int,
        submission_id: int,
        source: str,
        target: str,
        texts: dict[str, str],
        keys: dict[str, str],
        hits: dict[str, str],
    ) -> None:
        metrics = self.services.metrics.translations
        now = _now()
        if self.languages is None:
            await self._retry(
                job_id, f"the provider's languages are not known: {self.languages_error or 'not read yet'}"
            )
            metrics.labels(outcome="error").inc()
            return
        if not can_translate(self.languages, source, target):
            async with self.services.sessionmaker() as s, s.begin():
                job = await translations.job(s, job_id)
                if job is not None:
                    await translations.mark_finished(s, job, "unsupported", now)
            metrics.labels(outcome="unsupported").inc()
            return
        missing = [name for name in texts if keys[name] not in hits]
        fresh: dict[str, str] = {}
        if missing:
            try:
                out = await self.translator.translate(
                    [texts[name] for name in missing], provider_code(source), provider_code(target)
                )
            except TranslationFailed as exc:
                await self._retry(job_id, str(exc))
                metrics.labels(outcome="error").inc()
                return
            fresh = {keys[name]: text for name, text in zip(missing, out, strict=True)}
        done = {**hits, **fresh}
        translated = {name: done[keys[name]] for name in texts}
        now = _now()
        async with self.services.sessionmaker() as s, s.begin():
            job = await translations.job(s, job_id)
            if job is None or job.status != "pending":
                return
            await translations.remember(s, self.translator.name, fresh, now)
            if translated:
                row = await translations.add(
                    s,
                    submission_id=submission_id,
                    kind=MACHINE,
                    provider=self.translator.name,
                    source=source,
                    target=target,
                    text=joined(translated),
                    answers=translated,
                    now=now,
                )
                sub = await submissions.get(s, submission_id)
                if sub is not None:
                    await post_to_webhook(s, self.services.settings, sub, row, now)
            await translations.mark_finished(s, job, "done", now)
        metrics.labels(outcome="ok" if missing else "cached").inc()

    async def _retry(self, job_id: int, error: str) -> None:
        async with self.services.sessionmaker() as s, s.begin():
            job = await translations.job(s, job_id)
            if job is not None and job.status == "pending":
                await translations.mark_retry(s, job, _now() + timedelta(seconds=backoff(job.attempts)), error)
                if job.attempts in (1, 5) or job.attempts % 20 == 0:
                    log.warning("translation job %d not done (try %d): %s", job_id, job.attempts, error)

    async def _show(self, job_id: int) -> None:
        """The staff card shows the job's outcome: edited once it has been sent, or a
        second message when it could not be; a card still waiting to go is looked at again."""
        async with self.services.sessionmaker() as s, s.begin():
            job = await translations.job(s, job_id)
            sub = await submissions.get(s, job.submission_id) if job is not None else None
            if job is None or sub is None or not job.card:
                return
            title = await known_title(s, self.services.campaign_flows, self.services.file_flowset, sub.flow_id)
            state = await redraw_card(s, sub, title, _now())
            if state == "pending":
                await translations.card_later(s, job, _now() + timedelta(seconds=CARD_WAIT))
                return
            await translations.card_done(s, job)
        if state in ("sent", "failed"):
            self.on_queued()


def from_settings(services: Services, on_queued: Any = None) -> TranslationWorker | None:
    """The worker for TRANSLATE_URL's LibreTranslate (None when it is unset)."""
    from bot.translation.libretranslate import LibreTranslate

    settings = services.settings
    if not settings.translate_url:
        return None
    key = settings.translate_api_key.get_secret_value() if settings.translate_api_key else None
    client = LibreTranslate(settings.translate_url, key, timeout=settings.translate_timeout)
    return TranslationWorker(services, client, on_queued=on_queued)
