"""Failed dashboard logins are limited per account (with a doubling wait) and per client
address, separately: behind one reverse proxy, an attacker who locks an account locks
no one else; X-Forwarded-For counts only from a peer in TRUSTED_PROXIES; the counts
live in the database, so every process sees them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from ipaddress import ip_network

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.dbfixtures import db_url  # noqa: F401
from tests.webfixtures import ACCOUNT_FREE, ADDRESS_FREE, PASSWORD, add_staff, csrf_of, make_site

PROXY = "127.0.0.1"  # the test server's peer: every request comes "through the proxy"
ATTACKER, ADA_AT_HOME = "203.0.113.9", "198.51.100.7"


@pytest.fixture
async def sites(tmp_path):
    """Dashboards on one database (like processes of one deployment), opened by `open_site`."""
    made = []

    async def open_site(url=None, **settings):
        site, engine = await make_site(tmp_path / str(len(made)), url, **settings)
        made.append(engine)
        if len(made) == 1:
            for name, role in (("ada", "admin"), ("rita", "reviewer")):
                await add_staff(site.sessionmaker, name, role)
        return site

    yield open_site
    for engine in made:
        await engine.dispose()


async def login(client: TestClient, name: str, password: str = PASSWORD, via: str | None = None) -> int:
    headers = {"X-Forwarded-For": via} if via else {}
    token = csrf_of(await (await client.get("/login")).text())
    response = await client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token}, headers=headers, allow_redirects=False
    )
    return response.status


async def test_two_accounts_behind_one_proxy_address(sites):
    site = await sites()
    async with TestClient(TestServer(site.app)) as client:
        for _ in range(ACCOUNT_FREE + 3):  # someone guesses ada's password
            assert await login(client, "ada", "guess") in (401, 429)
        assert await login(client, "ada") == 429  # ada waits, even with her password
        assert await login(client, "rita") == 303  # rita, behind the same proxy, does not
        assert await login(client, "rita", "typo") == 401 and await login(client, "rita") == 303


async def test_each_further_failure_doubles_the_wait(sites):
    site = await sites()
    async with TestClient(TestServer(site.app)) as client:
        for _ in range(ACCOUNT_FREE):
            assert await login(client, "ada", "guess") == 401
        page = await client.post(
            "/login",
            data={
                "name": "ada",
                "password": PASSWORD,
                "csrf_token": csrf_of(await (await client.get("/login")).text()),
            },
        )
        assert page.status == 429 and "Wait 1 minute and try again" in await page.text()
        for wait in (1, 2, 4, 8):
            site.clock.now += timedelta(minutes=wait, seconds=1)
            assert await login(client, "ada", "guess") == 401  # the wait is over: one more try
            assert await login(client, "ada") == 429
        site.clock.now += timedelta(minutes=16, seconds=1)
        assert await login(client, "ada") == 303  # and the right password clears it
        assert await login(client, "ada", "typo") == 401 and await login(client, "ada") == 303


async def _guesses_at_once(clients: list[TestClient], n: int) -> list[int]:
    tokens = [csrf_of(await (await client.get("/login")).text()) for client in clients]

    async def guess(i: int) -> int:
        client, token = clients[i % len(clients)], tokens[i % len(clients)]
        response = await client.post(
            "/login", data={"name": "ada", "password": f"guess {i}", "csrf_token": token}, allow_redirects=False
        )
        return response.status

    return list(await asyncio.gather(*(guess(i) for i in range(n))))


@pytest.mark.parametrize("processes", [1, 2])
async def test_guesses_sent_at_once_get_no_more_tries_than_one_by_one(sites, db_url, processes):
    if processes == 2 and db_url.startswith("sqlite"):
        pytest.skip("several processes share PostgreSQL")
    apps = [(await sites(db_url)).app for _ in range(processes)]
    clients = [TestClient(TestServer(app)) for app in apps]
    for client in clients:
        await client.start_server()
    try:
        statuses = await _guesses_at_once(clients, 4 * ACCOUNT_FREE)
        assert statuses.count(401) <= ACCOUNT_FREE, statuses  # checked passwords: the free tries, no more
        assert set(statuses) <= {401, 429}
        assert await login(clients[0], "ada") == 429
        assert await login(clients[-1], "rita") == 303
    finally:
        for client in clients:
            await client.close()


async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(sites):
    site = await sites()  # TRUSTED_PROXIES empty: the peer is the client
    async with TestClient(TestServer(site.app)) as client:
        for i in range(ADDRESS_FREE):  # many names, a new "address" each time: all one peer
            assert await login(client, f"guess{i}", "guess", via=f"192.0.2.{i}") == 401
        assert await login(client, "rita", via=ADA_AT_HOME) == 429


async def test_x_forwarded_for_is_honoured_from_a_trusted_proxy(sites):
    site = await sites(trusted_proxies=[ip_network(PROXY)])
    async with TestClient(TestServer(site.app)) as client:
        for i in range(ADDRESS_FREE):
            assert await login(client, f"guess{i}", "guess", via=ATTACKER) == 401
        assert await login(client, "someone", "guess", via=f"10.1.2.3, {ATTACKER}") == 429
        assert await login(client, "rita", via=ADA_AT_HOME) == 303
        assert await login(client, "ada", via=f"{ATTACKER}, {ADA_AT_HOME}") == 303  # a forged hop is not her


async def test_a_lockout_holds_in_every_process_on_postgresql(sites, pg_url):
    first, second = await sites(pg_url), await sites(pg_url)
    async with TestClient(TestServer(first.app)) as one, TestClient(TestServer(second.app)) as two:
        for i in range(ACCOUNT_FREE):
            assert await login(one if i % 2 else two, "ada", "guess") == 401
        assert await login(one, "ada") == 429 and await login(two, "ada") == 429
        assert await login(two, "rita") == 303
