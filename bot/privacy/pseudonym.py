"""Pseudonyms: what staff see instead of a Telegram user id.

Keyed HMAC-SHA256, because Telegram ids are small integers that anyone could
enumerate through an unkeyed hash. Two values per participant:

- the lookup key (`participant_key`, 64 hex digits) finds a returning youth's row
  from their Telegram id alone, so it takes nothing but the key and the id;
- the pseudonym staff and exports see, a readable form such as "Fox-7Q3KM-2PAXZ":
  a word from 64 (6 bits) and ten Crockford base32 characters (50 bits). With 56
  bits the chance of any collision among 100 000 participants is about 7 in 100
  million. It is the HMAC of a random salt stored with the row and the id, so a
  youth who erased their data and comes back gets a pseudonym nobody can link to
  the old one: the salt went with the old row.

Rows stored before migration 0006 have no salt: their key is the plain HMAC of the
id, and their pseudonym the readable form of that same digest (`legacy_key`,
`pseudonym(key, id)`). They keep both, and are still found (`lookup_keys`). New rows
use a key HMAC'd under its own label, so nothing in a new row reveals the digest an
old export's pseudonym was made from.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Protocol, TypedDict

from pydantic import SecretStr

KEY_FILE = "pseudonym.key"
_KEY_BYTES = 32
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Neutral, short, easy to say in many languages; exactly 64 of them.
WORDS = (
    "Fox",
    "Owl",
    "Elk",
    "Lynx",
    "Hare",
    "Seal",
    "Wolf",
    "Bear",
    "Crane",
    "Swan",
    "Finch",
    "Robin",
    "Wren",
    "Heron",
    "Otter",
    "Badger",
    "Birch",
    "Pine",
    "Oak",
    "Maple",
    "Aspen",
    "Willow",
    "Rowan",
    "Cedar",
    "River",
    "Lake",
    "Brook",
    "Bay",
    "Cliff",
    "Hill",
    "Dune",
    "Field",
    "Star",
    "Moon",
    "Comet",
    "Cloud",
    "Rain",
    "Snow",
    "Frost",
    "Wind",
    "Amber",
    "Coral",
    "Jade",
    "Pearl",
    "Opal",
    "Ruby",
    "Topaz",
    "Slate",
    "Kite",
    "Sail",
    "Lamp",
    "Bell",
    "Drum",
    "Flute",
    "Harp",
    "Lute",
    "Mint",
    "Sage",
    "Thyme",
    "Fern",
    "Moss",
    "Reed",
    "Clover",
    "Tulip",
)


class _PrivacySettings(Protocol):
    pseudonym_key: SecretStr | None
    var_dir: Path


def _digest(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).digest()


def _id(user_id: int) -> str:
    return str(int(user_id))


def participant_key(key: bytes, user_id: int) -> str:
    """The lookup key of a participant stored from migration 0006 on (64 hex digits)."""
    return _digest(key, f"participant-key:{_id(user_id)}").hex()


def legacy_key(key: bytes, user_id: int) -> str:
    """The lookup key of a participant stored before migration 0006 (salt NULL)."""
    return _digest(key, _id(user_id)).hex()


def lookup_keys(key: bytes, user_id: int) -> tuple[str, str]:
    """The keys a returning youth's row may have: the current one, then the legacy one."""
    return participant_key(key, user_id), legacy_key(key, user_id)


def new_salt() -> str:
    return secrets.token_hex(16)


def readable(digest: bytes) -> str:
    """The readable pseudonym of a digest's first 56 bits, e.g. "Fox-7Q3KM-2PAXZ"."""
    bits = int.from_bytes(digest[:7], "big")
    word = WORDS[bits >> 50]
    chars = "".join(_CROCKFORD[(bits >> (45 - 5 * i)) & 31] for i in range(10))
    return f"{word}-{chars[:5]}-{chars[5:]}"


def pseudonym(key: bytes, user_id: int, salt: str | None = None) -> str:
    """A short readable pseudonym; without a salt, the one of a row stored before 0006."""
    message = _id(user_id) if salt is None else f"pseudonym:{salt}:{_id(user_id)}"
    return readable(_digest(key, message))


class Identity(TypedDict):
    """What identifies a participant's row without their Telegram id."""

    key: str
    salt: str
    pseudonym: str


def new_identity(key: bytes, user_id: int) -> Identity:
    """Lookup key, fresh salt and pseudonym for a participant row about to be created."""
    salt = new_salt()
    return {"key": participant_key(key, user_id), "salt": salt, "pseudonym": pseudonym(key, user_id, salt)}


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
