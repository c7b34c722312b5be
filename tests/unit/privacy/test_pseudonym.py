"""Pseudonyms: keyed, stable, readable, collision-free enough; the key file."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.privacy.pseudonym import (
    WORDS,
    legacy_key,
    load_or_create_key,
    lookup_keys,
    new_identity,
    participant_key,
    pseudonym,
    readable,
)
from bot.base.settings import Settings

KEY = b"k" * 32
_SHAPE = re.compile(r"^[A-Z][a-z]+-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def _settings(tmp_path: Path, key: str | None = None) -> Settings:
    return Settings(var_dir=tmp_path / "var", pseudonym_key=SecretStr(key) if key else None, _env_file=None)


def test_pseudonym_shape_and_stability():
    p = pseudonym(KEY, 123456789)
    assert _SHAPE.match(p), p
    assert p.split("-")[0] in WORDS
    assert pseudonym(KEY, 123456789) == p
    assert "123456789" not in p


def test_participant_key_is_full_hmac_hex():
    k = participant_key(KEY, 42)
    assert re.fullmatch(r"[0-9a-f]{64}", k)
    assert k == participant_key(KEY, 42)
    assert k != participant_key(KEY, 43)


def test_the_key_matters():
    # Without the key the pseudonym cannot be recomputed from an enumerated id.
    assert pseudonym(KEY, 7) != pseudonym(b"another key of 32 bytes length!!", 7)
    assert participant_key(KEY, 7) != participant_key(b"x" * 32, 7)


def test_rows_stored_before_the_salt_keep_their_key_and_pseudonym():
    # the values revision 0003 stored for this id and key: they must never change
    assert pseudonym(KEY, 123456789) == "Fox-VG9RG-DQCA1"
    assert legacy_key(KEY, 123456789) == "03704e20dbb14174278b21bb775ce293e522155690138a2d435f2ce3eeb82d64"
    assert lookup_keys(KEY, 123456789) == (participant_key(KEY, 123456789), legacy_key(KEY, 123456789))


def test_each_new_row_gets_its_own_salt_and_so_its_own_pseudonym():
    first, second = new_identity(KEY, 123456789), new_identity(KEY, 123456789)
    assert first["key"] == second["key"] == participant_key(KEY, 123456789)  # found from the id alone
    assert first["salt"] != second["salt"] and re.fullmatch(r"[0-9a-f]{32}", first["salt"])
    assert first["pseudonym"] != second["pseudonym"]
    for identity in (first, second):
        assert _SHAPE.match(identity["pseudonym"])
        assert identity["pseudonym"] == pseudonym(KEY, 123456789, identity["salt"])
        assert identity["pseudonym"] != pseudonym(KEY, 123456789)


def test_the_new_lookup_key_does_not_give_away_the_legacy_pseudonym():
    # before 0004 the pseudonym was the first 56 bits of the lookup key's digest
    assert readable(bytes.fromhex(legacy_key(KEY, 7))) == pseudonym(KEY, 7)
    assert participant_key(KEY, 7) != legacy_key(KEY, 7)
    assert readable(bytes.fromhex(participant_key(KEY, 7))) != pseudonym(KEY, 7)


def test_no_collisions_among_100k_users():
    seen = {pseudonym(KEY, uid) for uid in range(5_000_000_000, 5_000_100_000)}
    assert len(seen) == 100_000


def test_word_list_is_64_distinct_words():
    assert len(set(WORDS)) == 64


def test_key_from_settings(tmp_path):
    s = _settings(tmp_path, key="a secret from the environment")
    assert load_or_create_key(s) == b"a secret from the environment"
    assert not (tmp_path / "var").exists()


def test_key_file_created_once_private(tmp_path):
    s = _settings(tmp_path)
    key = load_or_create_key(s)
    path = tmp_path / "var" / "pseudonym.key"
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(s) == key
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["pseudonym.key"]


def test_corrupt_key_file_is_an_error(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "pseudonym.key").write_text("not hex\n")
    with pytest.raises(ValueError, match="pseudonym.key"):
        load_or_create_key(_settings(tmp_path))
