"""`python -m bot run`: the bot and the web app in one process.

With TELEGRAM_BOT_TOKEN: intake (polling, or webhook when WEBHOOK_URL is set), the
inbox worker, the paced sender, the scheduler and the web app. Without it: the web
chat simulator and dashboard only, on localhost, and it says so. SIGTERM and SIGINT
stop it cleanly: intake stops, updates in flight finish, the outbox is flushed until
a deadline, exit 0.
"""

from __future__ import annotations

from bot.app.profile import publish_profile
from bot.base.invocation import bot_command

import asyncio
import errno
import logging
import signal
import sys
from typing import Any

import aiohttp
from aiohttp import web

from bot.base import memory
from bot.base.aio import wait_any
from bot.base.logs import setup_logging
from bot.app.reload import ContentReloader
from bot.app.services import build_services
from bot.base.problems import StartupError
from bot.dialogue.services import Services
from bot.base.settings import Settings, get_settings, token_problem
from bot.telegram.client import SEND_CONCURRENCY, configure_ptb, make_bot
from bot.telegram.handler import UpdateHandler
from bot.telegram.intake import ALLOWED_UPDATES, BotApiOutage, Poller
from bot.telegram.ratelimit import Pacer
from bot.telegram.scheduler import Scheduler
from bot.telegram.sender import Sender, telegram_transport
from bot.telegram.topics import ForumTopics
from bot.telegram.webhook import WebhookEndpoint, webhook_path, webhook_secret
from bot.app.webhook import webhook_transport
from bot.app.translations import from_settings as translation_worker
from bot.telegram.press_answers import PressAnswers
from bot.telegram.worker import InboxWorker
from storage import leases, outbox
from storage.migrate import ensure_schema
from storage.db import make_sessionmaker
from storage.turns import first_in_line

log = logging.getLogger("bot")

FLUSH_SECONDS = 10.0  # how long the outbox is flushed after a stop signal
WEB_SHUTDOWN_SECONDS = 5.0  # how long webhook requests in flight may take to finish
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
DASHBOARD = web.AppKey("dashboard", web.Application)


def run_command(workers: int = 1) -> int:
    """`python -m bot run`; what keeps it from starting is said in one line (a database
    that cannot be used is said by bot.cli, as for every command)."""
    settings = get_settings()
    setup_logging(settings.log_level, settings.log_format)
    try:
        if workers > 1:
            from bot.app.workers import run_workers

            return run_workers(settings, workers, preflight=lambda: _preflight(settings))
        _refuse_bad_token(settings)
        memory.limit_arenas()  # before the database connection threads start
        return asyncio.run(serve(settings))
    except StartupError as exc:
        print(f"Sammanbot cannot start: {exc}", file=sys.stderr)
        return 1


def _refuse_bad_token(settings: Settings) -> None:
    if problem := token_problem(settings.telegram_bot_token):
        raise StartupError(problem)


def _preflight(settings: Settings) -> None:
    """Before several workers start: what would stop each of them is said once, here."""
    _refuse_bad_token(settings)
    asyncio.run(ensure_schema(settings.database_url))


async def serve(
    settings: Settings,
    *,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    services: Services | None = None,
) -> int:
    """Run until SIGTERM/SIGINT (or until `stop` is set, when the caller gives one).

    Flows and catalogs are reloaded on SIGHUP and when their files change.
    """
    services = services or build_services(settings)
    await ensure_schema(services.db)
    loop = asyncio.get_running_loop()
    own_signals = stop is None
    stop = stop or asyncio.Event()
    reloader = ContentReloader(services)
    services.runtime.reloader = reloader
    services.runtime.started_at = loop.time()
    if own_signals:
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, _on_stop_signal, stop, sig)
        loop.add_signal_handler(signal.SIGHUP, reloader.request, "SIGHUP")
    watch_stop = asyncio.Event()
    watcher = asyncio.create_task(reloader.watch(watch_stop), name="content-watch")
    try:
        if settings.telegram_bot_token is None:
            await _serve_simulator(services, stop, ready)
        else:
            await _serve_bot(services, stop, ready)
    finally:
        watch_stop.set()
        await asyncio.gather(watcher, return_exceptions=True)
        await reloader.wait()
        if own_signals:
            for sig in (*STOP_SIGNALS, signal.SIGHUP):
                loop.remove_signal_handler(sig)
        await services.db.dispose()
    log.info("stopped")
    return 0


def _on_stop_signal(stop: asyncio.Event, sig: signal.Signals) -> None:
    if stop.is_set():
        log.info("%s again: still stopping (at most %.0fs more)", sig.name, FLUSH_SECONDS)
        return
    log.info("%s received: stopping", sig.name)
    stop.set()


async def _reload_content(services: Services, reason: str) -> list[str]:
    """A reload after a translation was saved: through the reloader (one at a time, the
    staff group told of problems) once it runs, else directly."""
    reloader = services.runtime.reloader
    if reloader is not None:
        return await reloader.reload(reason)
    return await asyncio.to_thread(services.reload_content)


def _web_app(services: Services) -> web.Application:
    """/healthz, /metrics, the webhook (added later) and the staff dashboard at /staff/."""
    from bot.web.app import create_web_app
    from bot.web.system import add_system_routes

    app = web.Application()
    add_system_routes(app, services)
    dashboard = create_web_app(
        sessionmaker=services.sessionmaker,
        settings=services.settings,
        flows_provider=lambda: (services.flows.current, services.flows.problems),
        catalogs_provider=lambda: services.catalogs,
        secret=services.pseudonym_key,
        reload_content=lambda reason: _reload_content(services, reason),
        metrics=services.metrics,
    )
    app.add_subapp("/staff/", dashboard)
    app[DASHBOARD] = dashboard

    async def home(request: web.Request) -> web.Response:
        raise web.HTTPFound("/staff/")

    app.router.add_get("/", home)
    return app


def port_in_use(port: int) -> str:
    return f"port {port} is in use — is another Sammanbot running? set WEB_PORT"


async def _start_site(app: web.Application, settings: Settings) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=WEB_SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(port_in_use(settings.web_port)) from None
        raise
    return runner


def addresses(app: web.Application, settings: Settings) -> str:
    """Where a browser on this machine finds the dashboard and the simulator."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(settings.web_host, settings.web_host)
    base = f"http://{f'[{host}]' if ':' in host else host}:{settings.web_port}"
    router = app[DASHBOARD].router
    return f"Dashboard: {base}{router['home'].url_for()}  Simulator: {base}{router['simulator'].url_for()}"


async def _serve_simulator(services: Services, stop: asyncio.Event, ready: asyncio.Event | None) -> None:
    s = services.settings
    app = _web_app(services)
    runner = await _start_site(app, s)
    log.info(
        "No TELEGRAM_BOT_TOKEN set: running the web chat simulator and dashboard only "
        "(create an account with `%s`; set TELEGRAM_BOT_TOKEN to run the Telegram bot too)",
        bot_command("staff add NAME --role admin"),
    )
    log.info("%s", addresses(app, s))
    if ready:
        ready.set()
    await stop.wait()
    await runner.cleanup()


async def _serve_bot(services: Services, stop: asyncio.Event, ready: asyncio.Event | None) -> None:
    s = services.settings
    configure_ptb()
    bot = make_bot(s)
    if not await _initialize(bot, stop, s.telegram_api_url):
        return
    services.bot_username = bot.username
    services.runtime.bot = bot
    pacer = Pacer(s.rate_global_per_s, s.rate_per_chat_per_s, s.rate_per_chat_burst, s.rate_group_per_min)
    http = aiohttp.ClientSession()
    transports: dict[str, Any] = {"telegram": telegram_transport(bot, ForumTopics(bot, services.sessionmaker))}
    if s.forward_webhook_url:
        secret = s.forward_webhook_secret.get_secret_value().encode() if s.forward_webhook_secret else None
        transports["webhook"] = webhook_transport(s.forward_webhook_url, secret, http)
    # The intake and the sender go ahead of the handlers for SQLite's write lock: every
    # answer waits for both (storage/turns.py).
    first_engine = first_in_line(services.db)
    first = make_sessionmaker(first_engine)
    sender = Sender(
        first_engine, first, transports, pacer, batch=SEND_CONCURRENCY, on_outcome=services.metrics.api_outcome
    )
    worker = InboxWorker(
        services.sessionmaker,
        UpdateHandler(services, bot),
        after_commit=sender.poke,
        answers=PressAnswers(bot, services.metrics.api_outcome),
    )
    scheduler = Scheduler(services, worker.poke)
    services.runtime.sender, services.runtime.worker, services.runtime.scheduler = sender, worker, scheduler
    translator = translation_worker(services, sender.poke)
    services.runtime.translations = translator

    await publish_profile(services)
    app = _web_app(services)
    intake_stop = asyncio.Event()
    tasks: list[asyncio.Task] = []
    if s.webhook_url:
        endpoint = WebhookEndpoint(webhook_secret(s), first, worker.poke)
        app.router.add_post(webhook_path(s), endpoint.handle)
        services.runtime.webhook = endpoint
        await bot.set_webhook(s.webhook_url, secret_token=webhook_secret(s), allowed_updates=ALLOWED_UPDATES)
        log.info("webhook mode: Telegram posts to %s", webhook_path(s))
    else:
        await bot.delete_webhook()
        poller = Poller(bot, first, worker.poke, timeout=s.poll_timeout, api_url=s.telegram_api_url)
        poll_lead = leases.Leader(services.db, "poller", ttl=15.0)
        services.runtime.poller, services.runtime.poll_lead = poller, poll_lead
        tasks.append(asyncio.create_task(poller.run_as_leader(poll_lead, intake_stop), name="poller"))
        log.info("polling mode")
    try:
        runner = await _start_site(app, s)
    except StartupError:  # the port is taken: stop and close what already runs
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.close()
        await bot.shutdown()
        raise
    work_stop = asyncio.Event()
    tasks += [
        asyncio.create_task(worker.run(work_stop), name="worker"),
        asyncio.create_task(sender.run(work_stop), name="sender"),
        asyncio.create_task(scheduler.run(work_stop), name="scheduler"),
    ]
    if translator is not None:
        tasks.append(asyncio.create_task(translator.run(work_stop), name="translations"))
    log.info("Sammanbot is running as @%s", bot.username)
    log.info("%s", addresses(app, s))
    if ready:
        ready.set()
    await stop.wait()

    try:
        await _stop_gracefully(services, runner, intake_stop, work_stop, tasks, sender)
    finally:
        await http.close()
        await bot.shutdown()


async def _stop_gracefully(
    services: Services,
    runner: web.AppRunner,
    intake_stop: asyncio.Event,
    work_stop: asyncio.Event,
    tasks: list[asyncio.Task],
    sender: Sender,
) -> None:
    """Stop taking updates, finish those in flight, flush the outbox until a deadline.

    What is not done by then stays in the database (inbox and outbox rows) and is
    picked up by the next start: nothing is lost, nothing is handled twice.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FLUSH_SECONDS
    log.info("stopping: no new updates; finishing those in flight")
    intake_stop.set()
    await runner.cleanup()  # the webhook stops taking updates too (in-flight POSTs finish)
    work_stop.set()
    for task, outcome in zip(tasks, await asyncio.gather(*tasks, return_exceptions=True), strict=True):
        if isinstance(outcome, BaseException):
            log.error("%s ended with %s", task.get_name(), type(outcome).__name__)
    worker = services.runtime.worker
    if worker is not None:
        log.info("updates handled: %d (failed: %d)", worker.handled, worker.failed)
    try:
        flushed = await sender.flush(deadline)
    except Exception as exc:  # the database went away: the rows wait for the next start
        log.warning("outbox flush stopped (%s); the rest is sent after the next start", type(exc).__name__)
        flushed = 0
    await sender._resign()
    try:
        async with services.sessionmaker() as s:
            left, _oldest = await outbox.backlog(s)
    except Exception:
        left = -1
    if left > 0:
        log.info("flushed %d outbox rows; %d left for the next start", flushed, left)
    else:
        log.info("flushed %d outbox rows", flushed)


async def _initialize(bot: Any, stop: asyncio.Event, api_url: str) -> bool:
    """getMe, retried while the Bot API cannot be reached (a bad token stops us).
    False when told to stop before it answered."""
    from telegram.error import InvalidToken

    outage = BotApiOutage(api_url, log)
    delay = 1.0
    while not stop.is_set():
        try:
            await bot.initialize()
            outage.answered()
            return True
        except InvalidToken:
            raise StartupError(
                "the Bot API refused TELEGRAM_BOT_TOKEN: copy it again from @BotFather (/mybots → API Token)"
            ) from None
        except Exception as exc:
            outage.failed(exc, delay)
            await wait_any(stop, timeout=delay)
            delay = min(delay * 2, 30)
    log.info("stopped before the Bot API answered")
    return False
