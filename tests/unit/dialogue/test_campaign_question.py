"""bot/dialogue/campaign_question.py and campaign_compose.py: a one-question campaign's
exact refusals, its flow (checked by the engine's rules, run by the engine), each
language's own words or the default language's, the catalogs' thank-you; and the
translation coverage that decides what "leave out" leaves out, also for a flow file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import engine
from bot.dialogue import campaign_compose as compose
from bot.dialogue import campaign_question as cq
from bot.dialogue.campaign_flows import CampaignFlows
from bot.dialogue.campaign_rules import CampaignRefused
from bot.dialogue.render import render
from bot.engine import events as ev
from bot.engine.flowset import FlowSet
from bot.engine.load import load_flows
from bot.i18n import replies
from bot.i18n.catalogs import Catalogs
from tests.botfixtures import ROOT

LANGS = ["sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk"]
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SV = {"question": "Skulle du gå?", "choices": ["👍 Ja", "🤔 Kanske", "👎 Nej"], "why": "Varför?"}
AR = {"question": "هل ستذهب؟", "choices": ["👍 نعم", "🤔 ربما", "👎 لا"], "why": "لماذا؟"}
TI = {"question": "ምኸድካ ዶ?", "choices": ["👍 እወ", "🤔 ምናልባት", "👎 ኣይፋል"], "why": "ስለምንታይ?"}


def composed(**texts: dict) -> dict:
    return cq.compose(texts, default="sv", configured=LANGS)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(ROOT / "locales", LANGS, "sv")


@pytest.mark.parametrize(
    ("texts", "said"),
    [
        ({"sv": {**SV, "question": "  "}}, "the question in 'sv' (the default language) is empty"),
        ({"ar": AR}, "the question in 'sv' (the default language) is empty"),
        (
            {"sv": {**SV, "choices": ["👍 Ja"]}},
            "the question in 'sv' (the default language) has 1 choice; it needs at least 2",
        ),
        ({"sv": {**SV, "choices": [str(n) for n in range(7)]}}, "has 7 choices; it may have at most 6"),
        (
            {"sv": {**SV, "choices": ["Ja", "x" * 41]}},
            "choice 2 in 'sv' (the default language) is 41 characters; buttons allow 40",
        ),
        ({"sv": {**SV, "choices": ["Ja", "  "]}}, "choice 2 in 'sv' (the default language) is empty"),
        (
            {"sv": {**SV, "choices": ["Ja", "Nej", "ja"]}},
            "choice 3 in 'sv' (the default language) is the same as choice 1: 'ja'",
        ),
        ({"sv": SV, "xx": SV}, "a text for unknown language 'xx' (languages: sv, en, ar, fa_AF, ps, so, ti, uk)"),
        (
            {"sv": SV, "ar": {**AR, "choices": AR["choices"][:2]}},
            "the question in 'ar' has 2 choices but the default language (sv) has 3",
        ),
        ({"sv": SV, "ar": {**AR, "question": ""}}, "the question in 'ar' is empty"),
        (
            {"sv": SV, "ar": {**AR, "why": ""}},
            "the why? question in 'ar' is empty, but the default language (sv) has one",
        ),
        ({"sv": {**SV, "why": ""}, "ar": AR}, "a why? question in 'ar' needs one in the default language (sv) too"),
        ({"sv": {**SV, "question": "x" * 4097}}, "is 4097 characters; a Telegram message allows 4096"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_with_the_exact_reason(texts, said):
    with pytest.raises(CampaignRefused) as refused:
        composed(**texts)
    assert said in str(refused.value)


BANDS = "under_13, age_13_15, age_16_17, age_18_21, age_22_25"  # flows/onboarding.yaml's


def test_both_a_flow_and_a_question_or_neither_a_nameless_or_an_unknown_age_band_are_refused(catalogs):
    flowset, _ = load_flows(ROOT / "flows")
    for asked, said in (
        (compose.Asked(name="  ", flow="poll_homework_club"), "give the campaign a name"),
        (
            compose.Asked(name="x", flow="poll_homework_club", age_bands=["16-17"]),
            f"unknown age band '16-17' \\(age bands: {BANDS}\\)",
        ),
        (
            compose.Asked(name="x", flow="poll_homework_club", texts={"sv": SV}),
            "choose a flow or write a question, not both",
        ),
        (
            compose.Asked(name="x", texts={"ar": {"question": "", "choices": [], "why": ""}}),
            "choose a flow or write a question",
        ),
    ):
        with pytest.raises(CampaignRefused, match=said):
            compose.compose(
                asked, flowset=flowset, catalogs=catalogs, default="sv", configured=LANGS, now=NOW, naive_is_utc=True
            )


def test_the_flow_is_the_engines_and_each_language_sees_its_own_words_or_the_default(catalogs):
    question = composed(sv=SV, ar=AR, ti=TI)
    assert question["why"] is True and cq.translated(question) == ["sv", "ar", "ti"]
    assert question["ids"] == ["ja", "kanske", "nej"]  # readable on cards and in exports
    flows = CampaignFlows()
    flow = flows.add(7, question)
    assert flow.id == "campaign-7" and list(flow.steps) == ["question", "why", "thanks"]
    assert cq.build_flow(7, question).version == flow.version  # stable: every process builds the same
    files, _ = load_flows(ROOT / "flows")
    fs = flows.flowset(files)
    assert fs.get("campaign-7") is flow and fs.get("poll_homework_club") is not None
    assert fs.menu() == files.menu()  # not in anyone's menu

    seen = {}
    for lang in ("ar", "ti", "uk"):
        session, events = engine.start(fs, "campaign-7", now=NOW, lang=lang, session=engine.Session(consent=True))
        (message,) = render(events, flows.translator(catalogs, lang))
        seen[lang] = message
        session, events = engine.resume(fs, session, engine.Button(session.ask, 0), now=NOW)
        assert [e for e in events if isinstance(e, ev.SaveAnswer)][0].value == "ja"
        session, events = engine.resume(fs, session, engine.Text("nära skolan"), now=NOW)
        forward = [e for e in events if isinstance(e, ev.Forward)][0]
        assert forward.flow == "campaign-7" and forward.answers == {"answer": "ja", "why": "nära skolan"}
        thanks = render([e for e in events if isinstance(e, ev.End)], flows.translator(catalogs, lang))
        assert thanks[0].text == catalogs.translator(lang).gettext(replies.RESULTS_THANKS)
    assert seen["ar"].text == "هل ستذهب؟" and [b for b, _ in seen["ar"].buttons[0]] == ["👍 نعم"]
    assert seen["ti"].text == "ምኸድካ ዶ?"
    assert seen["uk"].text == "Skulle du gå?"  # no Ukrainian words: the default language's, as the bot falls back


def test_braces_are_shown_as_written_and_without_a_why_the_choice_ends_it(catalogs):
    question = composed(sv={"question": "Vilken {dag}?", "choices": ["Mån", "Tis"], "why": ""})
    flows = CampaignFlows()
    fs = FlowSet({"campaign-3": flows.add(3, question)})
    session, events = engine.start(fs, "campaign-3", now=NOW, lang="sv", session=engine.Session(consent=True))
    assert render(events, flows.translator(catalogs, "sv"))[0].text == "Vilken {dag}?"
    _, events = engine.resume(fs, session, engine.Button(session.ask, 1), now=NOW)
    assert [e.answers for e in events if isinstance(e, ev.Forward)] == [{"answer": "tis"}]


def test_a_flow_files_coverage_comes_from_the_catalogs(catalogs, tmp_path):
    (tmp_path / "new_poll.yaml").write_text(
        "id: new_poll\ntitle: New poll\nstart: q\nexpires_after: 2d\nsteps:\n"
        "  - id: q\n    type: choice\n    text: Only in English?\n    save: q\n    forward: true\n"
        "    choices:\n      - id: a\n        label: A\n      - id: b\n        label: B\n    next: end\n"
        "  - id: end\n    type: end\n",
        encoding="utf-8",
    )
    new_poll = load_flows(tmp_path)[0].get("new_poll")
    shipped = load_flows(ROOT / "flows")[0].get("poll_homework_club")
    assert [lang for lang in LANGS if compose.flow_translated(new_poll, catalogs, lang)] == ["en"]
    assert all(compose.flow_translated(shipped, catalogs, lang) for lang in LANGS)


def test_choice_ids_are_plain_letters_of_the_default_labels_else_numbered():
    assert cq.choice_ids(["👍 Läxhjälp", "🤔 Kanske", "👎"]) == ["laxhjalp", "kanske", "c3"]
    assert cq.choice_ids(["Ja", "Ja!", "1 dag", "c4"]) == ["ja", "c2", "c3", "c4"]
