"""bot.dialogue.outgoing: long texts split at Telegram's limit, keyboards on the last piece."""

from bot.dialogue.outgoing import MAX_TEXT, keyboard, send_message, split_text


def test_short_text_is_one_piece():
    assert split_text("Hej!") == ["Hej!"]


def test_long_text_splits_at_line_breaks_within_the_limit():
    text = "\n".join(f"Rad {i}: " + "ord " * 30 for i in range(200))
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(0 < len(p) <= MAX_TEXT for p in pieces)
    assert " ".join(pieces).split() == text.split()  # nothing lost, only whitespace at the cuts


def test_a_text_without_spaces_is_cut_hard():
    pieces = split_text("x" * (MAX_TEXT * 2 + 5))
    assert [len(p) for p in pieces] == [MAX_TEXT, MAX_TEXT, 5]


def test_keyboard_goes_on_the_last_piece_and_markup_is_plain_text():
    buttons = [[("Ja", "1:0"), ("Nej", "1:1")]]
    payloads = send_message(42, "<b>inte fet</b> " * 600, buttons)
    assert len(payloads) == 3
    assert all("reply_markup" not in p for p in payloads[:-1])
    assert payloads[-1]["reply_markup"] == keyboard(buttons)
    assert all("parse_mode" not in p for p in payloads)  # nothing a youth writes is formatting


def test_empty_text_still_sends_something():
    assert send_message(1, "   ") == [{"chat_id": 1, "text": "…"}]
