"""Security end to end, on the real `python -m bot run --workers 2` (webhook mode, JSON
logs at DEBUG): an invented youth tells the bot their name, username and phone number;
afterwards every line the processes wrote is searched for each of those and for their
Telegram id, and the logs, error answers and pages (/healthz, /metrics) for every
secret the deployment was given (token, webhook secrets, pseudonym key)."""

from __future__ import annotations

import re

import aiohttp

from tests.reliability.helpers import Deployment, walk
from tests.botprocess import db_handle  # noqa: F401 (fixture)
from tests.youth import Youth

FIRST, LAST, USERNAME = "Zabihullah", "Qaderi-Lindgren", "zabi_qaderi_07"
PHONE = "070-174 06 55"  # Swedish numbers reserved for fiction
IDEA_WITH_PII = (
    f"My name is {FIRST} {LAST}, call me on {PHONE} or write to @{USERNAME}: a football club for girls in our town."
)
SECRETS = {
    "WEBHOOK_SECRET": "InventedWebhookSecret_5c1e9a",
    "FORWARD_WEBHOOK_SECRET": "invented-forward-hmac-key-77f0",
    "PSEUDONYM_KEY": "invented-pseudonym-key-31b8d2",
}


def _variants(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    return [phone, digits, "46" + digits[1:], digits[1:]]


async def test_no_identifier_or_secret_in_logs_errors_or_pages(fake_bot_api, pg_url, tmp_path, db_handle):
    group = fake_bot_api.new_group("Sammanhacket team")
    deployment = Deployment(
        fake_bot_api,
        pg_url,
        tmp_path,
        group.chat.id,
        workers=2,
        LOG_LEVEL="DEBUG",
        LOG_FORMAT="json",
        FORWARD_WEBHOOK_URL="http://127.0.0.1:9/unreachable",
        **SECRETS,
    )
    await deployment.start()
    pages: list[str] = []
    db = db_handle(pg_url)
    try:
        youth = Youth.new(fake_bot_api, db, first_name=FIRST, last_name=LAST, username=USERNAME, language_code="en")
        await walk(youth, ["start", "English", "16–17", "Yes", "No", "Share an idea", "School"], IDEA_WITH_PII)
        await youth.step(youth.user.send_contact(PHONE))
        await walk(youth, [IDEA_WITH_PII, "Me", "Done", "Yes"], IDEA_WITH_PII)
        await youth.step(youth.user.send_command("/mydata"))
        async with aiohttp.ClientSession() as http:
            for port in deployment.ports:
                base = f"http://127.0.0.1:{port}"
                for path in ("/healthz", "/metrics", "/no/such/page", "/staff/login"):
                    async with http.get(base + path) as resp:
                        pages.append(await resp.text())
                async with http.post(
                    f"{base}/telegram/webhook", data=b"{}", headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                ) as resp:
                    pages.append(f"{resp.status} {await resp.text()}")
                for body in (b"{not json", b"[" * 100_000):  # malformed, and nested past any parser
                    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["WEBHOOK_SECRET"]}
                    async with http.post(f"{base}/telegram/webhook", data=body, headers=headers) as resp:
                        pages.append(f"{resp.status} {await resp.text()}")
    finally:
        assert await deployment.stop() == 0
    logs = deployment.log.read_text(encoding="utf-8", errors="replace")
    assert "took the lead" in logs and "updates handled" in logs  # the processes' own logs were captured
    identifiers = [FIRST, LAST, USERNAME, *_variants(PHONE), str(youth.user.id), "football club for girls"]
    leaked = [word for word in identifiers if word in logs]
    secrets = [*SECRETS.values(), fake_bot_api.token, fake_bot_api.token.split(":", 1)[1]]
    exposed = [s for s in secrets if s in logs or any(s in page for page in pages)]
    print(
        f"\n[reliability] security: {len(logs.splitlines())} log lines and {len(pages)} pages searched for "
        f"{len(identifiers)} identifiers and {len(secrets)} secrets: leaked {len(leaked)}, exposed {len(exposed)}"
    )
    assert leaked == [], f"identifiers in the logs: {leaked}"
    assert exposed == [], "a secret appeared in the logs or a page"
    assert "Traceback" not in logs
    assert pages.count("400 not an update") == 2 * len(deployment.ports)
    assert any('"status": "ok"' in page or '"status"' in page for page in pages)
