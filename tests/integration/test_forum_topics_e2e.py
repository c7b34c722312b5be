"""End to end, issue #23 "Forum topics", over the fake Bot API on SQLite and PostgreSQL:
when the team's group is a forum, cards go to a topic per kind — Urgent, Ideas, Needs —
each created on first use and then reused; a topic deleted in Telegram is made again and
the card still arrives; a plain group gets its cards as before, without topics. Invented
people only."""

from __future__ import annotations

from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, onboard, settle


async def share_idea(fake, services, name: str, idea: str) -> None:
    y = Youth.new(fake, services, first_name=name, last_name="Testsson", language_code="en")
    await onboard(y)
    await y.press("Share an idea")
    await y.press(0)
    await y.write(idea)
    await y.press(0)
    await y.press("Done")
    await y.press(1)
    await settle(services)


async def in_distress(fake, services, name: str) -> None:
    y = Youth.new(fake, services, first_name=name, last_name="Testsson", language_code="en")
    await onboard(y)
    await y.write("I want to die, nobody cares about me")
    await settle(services)


def cards(group, head: str):
    return [m for m in group.messages if (m.text or "").startswith(head)]


async def test_a_forum_gets_a_topic_per_kind(fake_bot_api, tmp_path, db_url):
    lead = fake_bot_api.new_user(first_name="Stina", last_name="Teamlead")
    group = fake_bot_api.new_group("Sammanhacket team", members=[lead], forum=True)
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)) as services:
        await share_idea(fake_bot_api, services, "Amal", "A homework club in the library")
        await in_distress(fake_bot_api, services, "Hawi")
        await share_idea(fake_bot_api, services, "Senait", "Football for girls and boys")
        topics = group.chat.topics
        assert sorted(topics.values()) == ["💡 Ideas", "🔴 Urgent"]
        thread = {name: tid for tid, name in topics.items()}
        ideas = cards(group, "💡 ")
        assert len(ideas) == 2 and {m.thread_id for m in ideas} == {thread["💡 Ideas"]}
        [urgent] = cards(group, "🔴 URGENT")
        assert urgent.thread_id == thread["🔴 Urgent"]

        # someone deletes the Ideas topic: the next card makes it again and still arrives
        del topics[thread["💡 Ideas"]]
        await share_idea(fake_bot_api, services, "Erik", "A Swedish chat cafe on Fridays")
        [again] = [t for t, n in topics.items() if n == "💡 Ideas"]
        assert again != thread["💡 Ideas"] and cards(group, "💡 ")[-1].thread_id == again
        assert "chat cafe" in cards(group, "💡 ")[-1].text
    creates = [c for c in fake_bot_api.calls_to("createForumTopic")]
    assert len(creates) == 3  # Ideas, Urgent, Ideas again: each once


async def test_a_plain_group_gets_no_topics(fake_bot_api, tmp_path, db_url):
    lead = fake_bot_api.new_user(first_name="Stina", last_name="Teamlead")
    group = fake_bot_api.new_group("Sammanhacket team", members=[lead])
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)) as services:
        await share_idea(fake_bot_api, services, "Amal", "A homework club in the library")
        [card] = cards(group, "💡 ")
        assert card.thread_id is None and group.chat.topics == {}
    assert fake_bot_api.calls_to("createForumTopic") == [] and fake_bot_api.rejected == []
