"""`/mydata` shows a youth what is kept about them in their own words: the language's
name, the age group's label, their questions and answers as they saw them — never an
id, a code or Python's True (bot/dialogue/own_data.py), here in the terminal chat."""

from __future__ import annotations

from tests.clirun import run_chat


def test_mydata_in_swedish_shows_names_and_labels_not_codes():
    # age 16–17, consent yes, contact yes, Share an idea, topic Free time, then /mydata
    out = run_chat("sv", ["3", "1", "1", "1", "3", "/mydata"])
    shown = out.rsplit("Det här har vi sparat om dig:", 1)[1].split("Skriv /delete", 1)[0]
    assert "Språk: Svenska" in shown
    assert "Åldersgrupp: 16–17" in shown
    assert "Är det okej för dig?: Ja" in shown
    assert "Fritid" in shown
    assert "Du sa att vi får skriva till dig senare: 20" in shown  # the contact opt-in, with its day
    assert "Får vi skicka" not in shown and shown.count(": Ja") == 1, shown  # told once, by its line
    for raw in ("age_16_17", "True", "consent:", "free_time", "topic:", ": sv"):
        assert raw not in shown, (raw, shown)
