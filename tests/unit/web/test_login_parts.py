"""The login limiter's parts on their own: the client's address behind trusted proxies,
and the doubling wait."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

from bot.web.proxies import client_address
from bot.web.ratelimit import ACCOUNT, ADDRESS
from tests.webfixtures import ACCOUNT_FREE, ADDRESS_FREE
from tests.webfixtures import T0


def test_the_client_address_behind_proxies():
    trusted = [ip_network("10.0.0.0/8"), ip_network("::1")]
    assert client_address("203.0.113.9", ["198.51.100.7"], trusted) == "203.0.113.9"  # not a proxy
    assert client_address("10.0.0.2", [], trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", ["198.51.100.7"], trusted) == "198.51.100.7"
    assert client_address("10.0.0.2", ["1.1.1.1, 198.51.100.7, 10.0.0.5"], trusted) == "198.51.100.7"
    assert client_address("10.0.0.2", ["1.1.1.1", "198.51.100.7:4711"], trusted) == "198.51.100.7"
    assert client_address("::1", ["[2001:db8::7]:443"], trusted) == "2001:db8::7"
    assert client_address("::ffff:10.0.0.2", ["198.51.100.7"], trusted) == "198.51.100.7"
    assert client_address("10.0.0.2", ["198.51.100.7, not-an-address"], trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", ["10.0.0.9, 10.0.0.5"], trusted) == "10.0.0.9"
    assert client_address(None, ["198.51.100.7"], trusted) is None


def test_waits_double_up_to_the_longest():
    waits = [ACCOUNT.wait_until(n, T0) for n in range(ACCOUNT.free + 12)]
    assert waits[: ACCOUNT.free] == [None] * ACCOUNT.free
    assert [w - T0 for w in waits[ACCOUNT.free : ACCOUNT.free + 4]] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] - T0 == ACCOUNT.longest


def test_the_documented_numbers():
    assert (ACCOUNT.free, ADDRESS.free) == (ACCOUNT_FREE, ADDRESS_FREE)
