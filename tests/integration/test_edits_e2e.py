"""Cosmetic edits (the old question's keyboard removed, "→ choice", toggles redrawn) over
the fake Bot API, with the shipped pacing at Telegram-like limits: in their own lane they
never hold a youth's next question back, every message ends as its last edit says (in
order per message), and no 429. (Questions of all youth before edits: test_sender.py.)"""

from __future__ import annotations

from tests.botfixtures import bot_settings, running_bot
from tests.dbfixtures import db_url  # noqa: F401
from tests.youth import Youth, settle, share_idea

SHIPPED_PACING = dict(rate_global_per_s=30.0, rate_per_chat_per_s=1.0, rate_per_chat_burst=3, rate_group_per_min=20.0)


async def test_edits_in_their_own_lane_keep_order_per_message_and_arrive(fake_bot_api, db_url, tmp_path):
    fake = fake_bot_api
    fake.limits.enabled = True
    async with running_bot(bot_settings(fake, db_url, tmp_path, **SHIPPED_PACING)) as services:
        amina = Youth.new(fake, services, first_name="Amina", language_code="en")
        await share_idea(amina, "More football evenings")  # presses toggles, then "Done"
        await settle(services)
    chat = amina.user.id
    calls = [(method, params) for method, params, _ in fake.calls if params.get("chat_id") == chat]
    sends = edits = 0
    for method, _params in calls:
        if method == "sendMessage":
            sends += 1
        elif method == "editMessageText":
            edits += 1
            # the question after the edited one was already sent: the edit did not hold it back
            assert sends > edits, [m for m, _ in calls]
    assert edits >= 5
    # every edit arrived, the last one of each message last: no old keyboard stays live
    shown = [m for m in amina.user.messages if m.keyboard]
    assert shown == [amina.question]
    last_edit: dict[int, str] = {}
    for method, params in calls:
        if method == "editMessageText":
            last_edit[params["message_id"]] = params["text"]
    by_id = {m.message_id: m for m in amina.user.messages}
    assert all(by_id[mid].text == text for mid, text in last_edit.items())
    assert fake.count_429 == 0
