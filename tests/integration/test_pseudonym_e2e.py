"""A youth who erases their data and comes back is a new person to staff: their new
pseudonym cannot be linked to the one in old exports (SQLite and PostgreSQL).
Participants stored before migration 0004 keep their pseudonym and are still found."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from bot.cli.export import write_export
from bot.privacy.pseudonym import legacy_key, participant_key, pseudonym, readable
from storage.submission_query import Filters
from storage.db import make_engine
from storage.migrate import alembic_config
from storage.models import Participant, UTCDateTime
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, onboard, staff_group

IDEA = "A bike repair workshop for everyone in the youth centre on Saturdays."
KEY_TEXT = "test-pseudonym-key-not-secret"  # what bot_settings gives the bot


async def _exported_pseudonyms(url: str) -> list[str | None]:
    out = io.StringIO()
    filters, _ = Filters.from_query({})
    await write_export(url, filters, "json", [], out)
    return [row["pseudonym"] for row in json.loads(out.getvalue())]


async def _share_an_idea(y: Youth) -> None:
    await onboard(y)
    for label in ("Share an idea", "School"):
        await y.press(label)
    await y.write(IDEA)
    for label in ("Me", "Done", "Yes"):
        await y.press(label)
    assert "Great! If they have a question" in " ".join(y.texts())


async def _erase(y: Youth) -> None:
    await y.command("/delete")
    await y.press(0)  # "Yes, delete everything"
    assert "Everything we had saved about you is deleted" in y.last.text


async def _the_participant(services) -> Participant:
    async with services.sessionmaker() as s:
        rows = (await s.scalars(select(Participant))).all()
    assert len(rows) == 1
    return rows[0]


def _unlinkable(old: str, new: Participant, user_id: int) -> None:
    """Nothing in the new row gives the old pseudonym back, with or without the key."""
    key = KEY_TEXT.encode()
    assert new.pseudonym != old and new.salt
    for value in (new.key, new.salt, new.pseudonym):
        assert old not in value and not any(part in value for part in old.split("-")[1:])
    # before 0004 the pseudonym was the readable form of the lookup key's digest
    assert readable(bytes.fromhex(new.key)) != old
    assert readable(bytes.fromhex(new.salt)) != old
    assert pseudonym(key, user_id, new.salt) == new.pseudonym != pseudonym(key, user_id)
    assert new.key == participant_key(key, user_id) != legacy_key(key, user_id)


async def test_after_delete_a_returning_youth_gets_an_unlinkable_pseudonym(fake_bot_api, db_url, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.chat.id)
    async with running_bot(settings) as services:
        y = Youth.new(fake_bot_api, services, first_name="Noor", language_code="en")
        await _share_an_idea(y)
        first = await _the_participant(services)
        assert await _exported_pseudonyms(db_url) == [first.pseudonym]
        # a returning youth is found again while their row exists
        await y.start()
        assert (await _the_participant(services)).id == first.id

        await _erase(y)
        old_export = await _exported_pseudonyms(db_url)
        assert old_export == [None]  # the kept submission is unlinked
        await _share_an_idea(y)
        second = await _the_participant(services)

    _unlinkable(first.pseudonym, second, y.user.id)
    assert sorted(await _exported_pseudonyms(db_url), key=str) == sorted([None, second.pseudonym], key=str)


def _to_0003(connection: sa.Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "0003")


async def _store_as_before_0004(url: str, user_id: int) -> str:
    """A participant (chat, no session yet) as revision 0003 stored them; returns their pseudonym."""
    key = KEY_TEXT.encode()
    now = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
    participants = sa.table(
        "participants",
        *(
            sa.column(c)
            for c in ("key", "pseudonym", "language", "consent", "consent_at", "age_band", "stopped", "is_test")
        ),
        *(sa.column(c, UTCDateTime()) for c in ("created_at", "updated_at", "last_seen_at")),
    )
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_to_0003)
            old = pseudonym(key, user_id)
            pid = (
                await conn.execute(
                    participants.insert()
                    .values(
                        key=legacy_key(key, user_id),
                        pseudonym=old,
                        language="en",
                        consent=False,
                        consent_at=None,
                        age_band=None,
                        stopped=False,
                        is_test=False,
                        created_at=now,
                        updated_at=now,
                        last_seen_at=now,
                    )
                    .returning(sa.column("id"))
                )
            ).scalar_one()
            chats = sa.table("chats", sa.column("participant_id"), sa.column("chat_id"))
            await conn.execute(chats.insert().values(participant_id=pid, chat_id=user_id))
    finally:
        await engine.dispose()
    return old


async def test_participants_stored_before_the_salt_keep_their_pseudonym_until_they_erase(
    fake_bot_api, db_url, tmp_path
):
    group, _ = staff_group(fake_bot_api)
    user = fake_bot_api.new_user(first_name="Dawit", language_code="en")
    old = await _store_as_before_0004(db_url, user.id)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.chat.id)
    async with running_bot(settings) as services:  # migrates 0003 -> head
        y = Youth(fake_bot_api, services, user)
        await onboard(y)
        kept = await _the_participant(services)
        assert (kept.pseudonym, kept.salt, kept.key) == (old, None, legacy_key(KEY_TEXT.encode(), user.id))

        await _erase(y)
        async with services.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(Participant)) == 0
        await onboard(y)
        _unlinkable(old, await _the_participant(services), user.id)
