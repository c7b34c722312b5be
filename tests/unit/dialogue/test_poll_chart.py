"""bot.dialogue.poll_chart: a PNG whose bars are as tall as their counts, whole percents
that are 0 when nobody answered, and any number of choices drawn."""

import io

from PIL import Image

from bot.dialogue.poll_chart import HEIGHT, WIDTH, chart_png, percentages
from tests.chartread import bar_heights


def test_percentages_are_whole_shares_of_the_total():
    assert percentages([1, 1, 2]) == [25, 25, 50]
    assert percentages([1, 2]) == [33, 67]
    assert percentages([0, 0, 0]) == [0, 0, 0]


def test_the_chart_is_a_png_of_the_documented_size():
    image = Image.open(io.BytesIO(chart_png([3, 1])))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)


def test_bars_are_as_tall_as_their_counts():
    full, half, none = bar_heights(chart_png([4, 2, 0]), 3)
    assert none == 0 and full > 100
    assert abs(half - full / 2) <= 2


def test_nobody_answered_draws_no_bars():
    assert bar_heights(chart_png([0, 0, 0, 0]), 4) == [0, 0, 0, 0]


def test_many_choices_each_get_a_bar():
    heights = bar_heights(chart_png([1] * 8), 8)
    assert len(set(heights)) == 1 and heights[0] > 100
