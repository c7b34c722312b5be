"""Pseudonyms: what staff see instead of a Telegram user id.

A keyed HMAC-SHA256 of the user id, because Telegram ids are small integers that
anyone could enumerate through an unkeyed hash. `participant_key` is the full hex
digest (the lookup key); `pseudonym` is a readable form such as "Fox-7Q3KM-2PAXZ":
a word from 64 (6 bits) and ten Crockford base32 characters (50 bits). With 56 bits
the chance of any collision among 100 000 participants is about 7 in 100 million.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

KEY_FILE = "pseudonym.key"
_KEY_BYTES = 32
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Neutral, short, easy to say in many languages; exactly 64 of them.
WORDS = (
    "Fox", "Owl", "Elk", "Lynx", "Hare", "Seal", "Wolf", "Bear",
    "Crane", "Swan", "Finch", "Robin", "Wren", "Heron", "Otter", "Badger",
    "Birch", "Pine", "Oak", "Maple", "Aspen", "Willow", "Rowan", "Cedar",
    "River", "Lake", "Brook", "Bay", "Cliff", "Hill", "Dune", "Field",
    "Star", "Moon", "Comet", "Cloud", "Rain", "Snow", "Frost", "Wind",
    "Amber", "Coral", "Jade", "Pearl", "Opal", "Ruby", "Topaz", "Slate",
    "Kite", "Sail", "Lamp", "Bell", "Drum", "Flute", "Harp", "Lute",
    "Mint", "Sage", "Thyme", "Fern", "Moss", "Reed", "Clover", "Tulip",
)


class _PrivacySettings(Protocol):
    pseudonym_key: SecretStr | None
    var_dir: Path


def _digest(key: bytes, user_id: int) -> bytes:
    return hmac.new(key, str(int(user_id)).encode("ascii"), hashlib.sha256).digest()


def participant_key(key: bytes, user_id: int) -> str:
    """The full HMAC-SHA256 of the user id, as 64 hex digits."""
    return _digest(key, user_id).hex()


def pseudonym(key: bytes, user_id: int) -> str:
    """A short readable pseudonym, e.g. "Fox-7Q3KM-2PAXZ"."""
    bits = int.from_bytes(_digest(key, user_id)[:7], "big")  # 56 bits
    word = WORDS[bits >> 50]
    chars = "".join(_CROCKFORD[(bits >> (45 - 5 * i)) & 31] for i in range(10))
    return f"{word}-{chars[:5]}-{chars[5:]}"


def _read_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ValueError(f"{path} does not hold a pseudonym key (64 hex digits)")
    return key


def load_or_create_key(settings: _PrivacySettings) -> bytes:
    """The pseudonym key: PSEUDONYM_KEY when set, else `{var_dir}/pseudonym.key`,
    generated on first use (mode 0600).

    The new key is written completely to a private temporary file and then linked
    into place; linking fails if the name exists, so processes starting together all
    end up with the one key that was linked first, and none reads a half-written file.
    """
    if settings.pseudonym_key is not None:
        value = settings.pseudonym_key.get_secret_value()
        if not value:
            raise ValueError("PSEUDONYM_KEY is empty")
        return value.encode("utf-8")
    var_dir = Path(settings.var_dir)
    path = var_dir / KEY_FILE
    if path.exists():
        return _read_key(path)
    var_dir.mkdir(parents=True, exist_ok=True)
    tmp = var_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_bytes(_KEY_BYTES).hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race: use its key
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)
