"""End to end, issue #23 "Urgent cards say what was written": over the fake Bot API, on
SQLite and PostgreSQL, the urgent card shows the message that set it off and the youth's
last written answers before it, anonymised like every forwarded text (the youth's own
names, a phone number and an e-mail address removed), in the safeguarding chat when one
is set and not in the staff group. All people are invented."""

from __future__ import annotations

from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, settle, share_idea, staff_group

FIRST, LAST, USERNAME = "Rahwa", "Gebremedhin", "rahwa_fika"
IDEA = "A homework club on Tuesdays, Rahwa can help, write to rahwa.g@example.org"
DISTRESS = "Rahwa here. I want to die, I have pills and I will take them tonight, call me on 070-123 45 67"


async def test_the_urgent_card_shows_what_was_written_anonymised(fake_bot_api, tmp_path, db_url):
    group, _ = staff_group(fake_bot_api)
    counsellor = fake_bot_api.new_user(first_name="Maja", last_name="Kurator")
    guard = fake_bot_api.new_group("Sammanhacket safeguarding", members=[counsellor])
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id, safeguarding_chat_id=guard.id)
    async with running_bot(settings) as services:
        y = Youth.new(fake_bot_api, services, first_name=FIRST, last_name=LAST, username=USERNAME, language_code="en")
        await share_idea(y, IDEA)
        await y.write(DISTRESS)
        await settle(services)
    [card] = [m for m in guard.messages if (m.text or "").startswith("🔴 URGENT")]
    text = card.text
    assert card.protected  # sent with protect_content
    assert "written: " in text and "I have pills and I will take them tonight" in text
    assert "earlier " in text and "homework club on Tuesdays" in text  # the answer before it
    assert text.index("homework club") < text.index("I have pills")
    for secret in (FIRST, LAST, USERNAME, "070-123", "45 67", "rahwa.g@example.org", str(y.user.id)):
        assert secret.casefold() not in text.casefold(), secret
    assert not any("I have pills" in (m.text or "") for m in group.messages)  # not in the staff group
    assert fake_bot_api.rejected == []
