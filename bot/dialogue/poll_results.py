"""A poll's results back to the youth: counts and percentages of its first choice
question, one text per language, queued for those who took part (answered that question;
or for every youth who said yes to being contacted), once per campaign, only after it is
done and someone answered.

The counts come from the anonymised submissions of the campaign's recipients; the texts
(question, labels) from the catalogs, or a one-question campaign's own words, as the
youth saw them. The text numbers the choices;
a bar chart PNG with the same numbers (bot/dialogue/poll_chart.py) follows it, sent with
sendPhoto through the outbox (the file rides in the payload, storage.outbox.upload).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import campaign_question, outgoing, render
from bot.dialogue.poll_chart import chart_png, percentages
from bot.engine import model as m
from bot.engine.texts_of import choice_context, step_context
from bot.i18n import replies
from storage import campaigns, outbox, staff
from storage.outbox import Priority


class ResultsRefused(Exception):
    """Why the results cannot go out (said to staff as it is)."""


@dataclass(frozen=True)
class Tally:
    flow_id: str
    step: m.ChoiceStep
    counts: dict[str, int]  # choice id -> answers, in the question's order
    total: int


def poll_question(flow: Any) -> m.ChoiceStep | None:
    """The flow's first choice question that saves its answer (the poll's question)."""
    for step in flow.steps.values():
        if isinstance(step, m.ChoiceStep) and step.save:
            return step
    return None


def tally(flow: Any, answers: list[dict[str, Any]]) -> Tally | None:
    step = poll_question(flow)
    if step is None or step.save is None:
        return None
    seen = Counter(a.get(step.save) for a in answers)
    counts = {c.id: seen.get(c.id, 0) for c in step.choices}
    return Tally(flow.id, step, counts, sum(counts.values()))


def results_text(tr: Any, t: Tally) -> str:
    lines = t.step.lines()
    # as the youth read it: a step's text is a template ("{{" a brace)
    question = render.text_of(lines[-1], step_context(t.flow_id, t.step.id), None, tr) if lines else t.step.id
    out = [tr.format(replies.RESULTS_HEADER, question=question, count=tr.format_number(t.total))]
    counts = [t.counts[choice.id] for choice in t.step.choices]
    for number, (choice, n, percent) in enumerate(zip(t.step.choices, counts, percentages(counts), strict=True), 1):
        label = tr.gettext(choice.label, choice_context(t.flow_id, t.step.id, choice.id))
        line = tr.format(
            replies.RESULTS_LINE, label=label, percent=tr.format_number(percent), count=tr.format_number(n)
        )
        out.append(f"{number}. {line}")  # the number of its bar in the chart
    out += ["", tr.gettext(replies.RESULTS_THANKS)]
    return "\n".join(out)


def campaign_flow(c: campaigns.CampaignInfo, flowset: Any) -> Any:
    """The flow the campaign runs: its own question's, or a flow file's (None: gone)."""
    if c.question is not None:
        return campaign_question.build_flow(c.id, c.question)
    return flowset.get(c.flow_id) if flowset is not None else None


async def campaign_tally(s: AsyncSession, flowset: Any, campaign_id: int) -> Tally | None:
    c = await campaigns.get(s, campaign_id)
    flow = campaign_flow(c, flowset) if c is not None else None
    return tally(flow, await campaigns.answers_of(s, campaign_id)) if flow is not None else None


def _not_yet(c: campaigns.CampaignInfo) -> str | None:
    """Why a campaign in its state sends no results (None: it is done)."""
    if c.status == "done":
        return None
    if c.status == "cancelled":
        return f"campaign {c.id} was cancelled: a cancelled campaign sends no results"
    return f"campaign {c.id} is {c.status}: results go out once it is done"


def _translator(catalogs: Any, lang: str, c: campaigns.CampaignInfo) -> Any:
    if c.question is not None:
        return campaign_question.translator(catalogs, lang, c.id, c.question)
    return catalogs.translator(lang)


async def send_results(
    s: AsyncSession,
    catalogs: Any,
    flowset: Any,
    campaign_id: int,
    *,
    everyone: bool,
    now: datetime,
    by: str | None = None,
) -> int:
    """Queue the results for each youth in their language (in the audit log under `by`);
    how many youth. ResultsRefused when the campaign is unknown, not done, already sent,
    has no poll question, or nobody answered it yet."""
    c = await campaigns.get(s, campaign_id)
    if c is None:
        raise ResultsRefused(f"there is no campaign {campaign_id}")
    t = await campaign_tally(s, flowset, campaign_id)
    if t is None:
        raise ResultsRefused(f"campaign {campaign_id}'s flow {c.flow_id!r} has no choice question to count")
    if c.results_sent_at is not None:
        raise ResultsRefused(
            f"the results of campaign {campaign_id} were sent already ({c.results_sent_at:%Y-%m-%d %H:%M} UTC)"
        )
    refused = _not_yet(c)
    if refused is None and (t.total == 0 or not await campaigns.took_part_count(s, campaign_id, t.step.id)):
        refused = f"nobody has answered campaign {campaign_id} yet"
    if refused is not None or not await campaigns.mark_results_sent(s, campaign_id, now):
        raise ResultsRefused(refused or f"campaign {campaign_id} changed meanwhile: try again")
    texts: dict[str, str] = {}
    youth = await campaigns.results_audience(s, campaign_id, everyone=everyone, step_id=t.step.id)
    chart = outbox.upload(chart_png([t.counts[choice.id] for choice in t.step.choices]), "results.png")
    for chat_id, lang in youth:
        text = texts.get(lang) or texts.setdefault(lang, results_text(_translator(catalogs, lang, c), t))
        calls = [("sendMessage", p) for p in outgoing.send_message(chat_id, text)]
        for method, payload in [*calls, ("sendPhoto", outgoing.send_photo(chat_id, chart))]:
            await outbox.enqueue(
                s, chat_id=chat_id, method=method, payload=payload, priority=Priority.CAMPAIGN, now=now
            )
    who = "every youth who said yes to contact" if everyone else "who took part"
    await staff.audit(
        s,
        staff_name=by,
        action="campaign_results",
        target=f"campaign:{campaign_id}",
        detail=f"{who}: {len(youth)}",
        now=now,
    )
    return len(youth)
