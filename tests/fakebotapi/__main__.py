"""Run the fake Bot API server standalone: `python -m tests.fakebotapi --port N`.

Prints one JSON line {"url", "token", "bot_id"} on stdout once listening, then
serves until SIGTERM/SIGINT. Drive it with `FakeControl(url)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal

from .server import DEFAULT_TOKEN, FakeBotApi


async def serve(args: argparse.Namespace) -> None:
    server = FakeBotApi(args.token, rate_limits=args.rate_limits)
    await server.start(args.host, args.port)
    print(json.dumps({"url": server.url, "token": server.token, "bot_id": server.bot_id}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakebotapi", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate-limits", action="store_true", help="enforce Telegram-like limits (429)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
