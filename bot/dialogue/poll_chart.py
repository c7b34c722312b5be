"""A poll's counts as a bar chart PNG: one bar per choice, labelled with the choice's
number under it and its percentage above it. No words on the image (Pillow's default font
cannot render every script the youth read): the numbers are explained by the text
message sent before it (bot/dialogue/poll_results.py numbers its lines the same way)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 480, 300
MARGIN, LABEL = 24, 30  # around the plot; room for a label above and below the bars
BAR = (41, 98, 255)
INK = (30, 30, 30)
AXIS = (200, 200, 200)


def percentages(counts: Sequence[int]) -> list[int]:
    """Each count's share of the total, rounded to a whole percent (0 when nobody answered)."""
    total = sum(counts)
    return [round(100 * n / total) if total else 0 for n in counts]


def chart_png(counts: Sequence[int]) -> bytes:
    """The bar chart of `counts` (in the choices' order) as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=18)
    top, bottom = MARGIN + LABEL, HEIGHT - MARGIN - LABEL
    draw.line([(MARGIN, bottom), (WIDTH - MARGIN, bottom)], fill=AXIS, width=2)
    slot = (WIDTH - 2 * MARGIN) / max(len(counts), 1)
    highest = max(counts, default=0) or 1
    for i, (n, percent) in enumerate(zip(counts, percentages(counts), strict=True)):
        left = MARGIN + i * slot + slot * 0.2
        right = MARGIN + (i + 1) * slot - slot * 0.2
        height = (bottom - top) * n / highest
        if height:
            draw.rectangle([(left, bottom - height), (right, bottom)], fill=BAR)
        middle = (left + right) / 2
        draw.text((middle, bottom - height - 6), f"{percent}%", fill=INK, font=font, anchor="md")
        draw.text((middle, bottom + 6), str(i + 1), fill=INK, font=font, anchor="mt")
    out = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(out, format="PNG", optimize=True)
    return out.getvalue()
