"""The client's address, behind reverse proxies the deployment trusts (TRUSTED_PROXIES).

X-Forwarded-For is anyone's to write, so it is read only when the direct peer is a
trusted proxy, and then from the right: each trusted hop appended the address it got
the request from, and the first hop that is not a trusted proxy is the client. An
entry that is no address stops the walk at the last good one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address

HEADER = "X-Forwarded-For"


def parse_address(text: str | None) -> Address | None:
    """`1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:80` -> the address; None for anything else."""
    text = (text or "").strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        found = ip_address(text)
    except ValueError:
        return None
    return (found.ipv4_mapped or found) if isinstance(found, IPv6Address) else found


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str | None, forwarded: Iterable[str], proxies: Sequence[Network]) -> str | None:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    nearest hop in the X-Forwarded-For headers (`forwarded`) that is not one."""
    current = parse_address(peer)
    if current is None or not _trusted(current, proxies):
        return peer
    hops = [hop for header in forwarded for hop in header.split(",")]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break
        current = address
        if not _trusted(address, proxies):
            break
    return str(current)
