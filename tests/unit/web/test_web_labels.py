"""The dashboard's labels: ids from the database shown to staff as words, from the
shipped flows' YAML (and one-question campaigns' questions) and CLDR's language names."""

from __future__ import annotations

import pytest

from bot.dialogue import campaign_question as cq
from bot.dialogue.campaign_flows import CampaignFlows
from bot.engine import load_flows
from bot.web.labels import Labels, language_name, words
from tests.demosite import ROOT


@pytest.fixture(scope="module")
def labels() -> Labels:
    flowset, problems = load_flows(ROOT / "flows")
    assert flowset is not None and not problems
    return Labels(flowset.flows.values())


def test_flows_topics_choices_and_answers_in_the_words_of_their_yaml(labels):
    assert labels.flow("share_idea") == "Share an idea"
    assert labels.flow("onboarding") == "Getting started"  # not "Start again": that is no title
    assert labels.flow("safeguarding") == "Safeguarding" and labels.flow("old_flow") == "Old flow"
    assert labels.topic("free_time") == "Free time ⚽" and labels.topic(None) == "(no topic)"
    assert labels.value("share_idea", "helps", ["new_youth", "me"]) == "Young people new in Sweden, Me"
    assert labels.value("share_idea", "followup_ok", False) == "No"
    assert labels.value("need", "hardest_more", None) == "–"  # skipped
    assert labels.value("workshop_feedback", "rating", "very_bad") == "😞 Bad"
    assert labels.value("workshop_feedback", "workshops", 3) == "3"
    assert (
        labels.question("share_idea", "followup_ok")
        == "May the team ask you a question about this later, here in the chat?"
    )  # from the sub-flow
    assert (
        labels.question("need", "what_helps", {"hardest": "papers"})
        == "What would help you with Papers and permits 📄?"
    )
    assert labels.step("need", "helps") == "What would help you with …?"
    assert labels.step("onboarding", "language") == "Which language do you want to use?"
    assert labels.answers("need", {"alert": "crisis words"}) == [("Raised by", "crisis words in a message")]
    assert labels.answers("idea", ["not", "an", "object"]) == [("Answer", "not, an, object")]


def test_languages_sources_categories_and_statuses_in_words(labels):
    names = [language_name(c) for c in ("sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk")]
    assert names == ["Swedish", "English", "Arabic", "Dari", "Pashto", "Somali", "Tigrinya", "Ukrainian"]
    assert language_name("xx_YY") == "xx_YY" and language_name("") == "–"
    assert labels.source("workshop-malmo") == "Workshop malmo" and labels.source("demo") == "Demo data"
    assert labels.source(None) == "–" and words("new_youth") == "New youth"
    assert labels.category("self_harm") == "self-harm or suicide"
    assert labels.category("hunger_homeless") == "hunger or homelessness"
    assert labels.category("asked for a person") == "asked to talk to a person"
    assert labels.category("a_new_one") == "a new one" and labels.category(None) == "safeguarding"
    assert labels.status("shortlisted") == "Shortlisted"


def test_a_one_question_campaign_in_the_dashboards_language_where_written_braces_as_written():
    texts = {
        "sv": {"question": "Gillar du {läxhjälp}? Säg!", "choices": ["Ja", "Nej"], "why": ""},
        "en": {"question": "Do you like {homework help}? Say!", "choices": ["Yes", "No"], "why": ""},
    }
    known = CampaignFlows()
    known.add(7, cq.compose(texts, default="sv", configured=["sv", "en", "ar"]))
    labels = Labels(known.flows_in("en"))
    assert labels.flow("campaign-7") == "Do you like (homework help)? Say!"  # a title keeps no brace
    assert labels.question("campaign-7", "answer") == "Do you like {homework help}?"
    assert labels.value("campaign-7", "answer", "ja") == "Yes"  # the ids stay the default language's
    assert Labels(known.flows_in("ar")).flow("campaign-7") == "Gillar du (läxhjälp)? Säg!"  # not written: sv
    assert known.flows_in("sv") == [known.flowset(load_flows(ROOT / "flows")[0]).get("campaign-7")]
