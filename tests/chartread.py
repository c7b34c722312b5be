"""Reading a results chart (bot/dialogue/poll_chart.py) back from its PNG: the height of
each bar, down the middle of each choice's slot."""

from __future__ import annotations

import io

from PIL import Image

from bot.dialogue.poll_chart import BAR, HEIGHT, MARGIN, WIDTH


def bar_heights(png: bytes, choices: int) -> list[int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    slot = (WIDTH - 2 * MARGIN) / choices
    columns = [int(MARGIN + (i + 0.5) * slot) for i in range(choices)]
    return [sum(_is_bar(image.getpixel((x, y))) for y in range(HEIGHT)) for x in columns]


def _is_bar(pixel: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 24 for a, b in zip(pixel, BAR, strict=True))
