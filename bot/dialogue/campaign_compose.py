"""A campaign as an admin composes it, whoever asks (the dashboard, the command line):
what it sends (a flow file, or one question written per language, never both), to whom
(the audience's filters), when, and per language whether the texts are translated.

A language without a translation falls back as the bot does (the default language's
words), or, when the admin says to leave such languages out, its youth are not in the
audience at all (`left_out`). `compose` refuses with the exact reason (CampaignRefused)
before anything is written; `per_language` gives the counts and the preview to show
before sending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import campaign_question as cq
from bot.dialogue import campaign_rules as rules
from bot.dialogue.poll_results import poll_question
from bot.engine.texts_of import choice_context, step_context, text_contexts
from bot.i18n import replies
from bot.i18n.catalogs import SOURCE_LANGUAGE
from storage import campaigns


@dataclass(frozen=True)
class Asked:
    """What the admin filled in (`texts`: per language its question, choices, why)."""

    name: str = ""
    flow: str = ""
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)
    leave_out: bool = False
    languages: list[str] = field(default_factory=list)
    age_bands: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    took_part: str = ""
    submitted_days: int = 0
    at: str = ""


@dataclass(frozen=True)
class Composed:
    name: str
    flow_id: str  # "" for a one-question campaign (its own flow's id comes with its number)
    question: dict[str, Any] | None
    audience: dict[str, Any]  # with `languages` narrowed and `left_out` said when leaving out
    at: datetime | None
    targeted: list[str]  # the languages aimed at, before leaving any out
    translated: list[str]  # of those, the ones with their own texts


def flow_translated(flow: Any, catalogs: Any, lang: str) -> bool:
    """Whether every text of the flow has its own translation in `lang` (as the bot
    would show it: a draft given way to its fallback is not). Asked without a lookup, so
    nothing is logged as missing."""
    if lang == SOURCE_LANGUAGE:
        return True
    fallback = catalogs.fallbacks.get(lang)
    for context, msgid, _line in text_contexts(flow):
        if not catalogs.has(lang, msgid, context):
            return False
        if fallback is not None and catalogs.is_draft(lang, msgid, context) and fallback.covers(context, msgid):
            return False
    return True


def age_bands(flows: Iterable[Any]) -> list[tuple[str, str]]:
    """(id, label) of the age bands the onboarding asks for (the first flow that does)."""
    for flow in flows:
        for step in flow.steps.values():
            if getattr(step, "profile", None) == "age_band":
                return [(c.id, c.label) for c in step.choices]
    return []


def _what(asked: Asked, flowset: Any, default: str, configured: list[str]) -> tuple[str, dict[str, Any] | None]:
    wrote = any(cq.given(t) for t in asked.texts.values())
    if asked.flow and wrote:
        raise rules.CampaignRefused("choose a flow or write a question, not both")
    if not asked.flow and not wrote:
        raise rules.CampaignRefused("choose a flow or write a question with its choices")
    if wrote:
        return "", cq.compose(asked.texts, default=default, configured=configured)
    rules.check_flow(asked.flow, sorted(flowset.flows) if flowset is not None else [])
    return asked.flow, None


def compose(
    asked: Asked, *, flowset: Any, catalogs: Any, default: str, configured: list[str], now: datetime, naive_is_utc: bool
) -> Composed:
    """The campaign to create; CampaignRefused with the exact reason."""
    name = asked.name.strip()
    if not name:
        raise rules.CampaignRefused("give the campaign a name")
    flow_id, question = _what(asked, flowset, default, configured)
    flows = list(flowset.flows.values()) if flowset is not None else []
    audience = rules.audience(
        languages=asked.languages,
        age_bands=asked.age_bands,
        known_bands=[band for band, _label in age_bands(flows)],
        sources=asked.sources,
        took_part=asked.took_part,
        submitted_days=asked.submitted_days,
        configured=configured,
        flow_ids=sorted(flowset.flows) if flowset is not None else [],
    )
    at = rules.parse_when(asked.at, now, naive_is_utc=naive_is_utc)
    targeted = list(asked.languages) or list(configured)
    if question is not None:
        translated = [lang for lang in targeted if lang in cq.translated(question)]
    else:
        flow = flowset.get(flow_id)
        translated = [lang for lang in targeted if flow_translated(flow, catalogs, lang)]
    if asked.leave_out:
        left_out = [lang for lang in targeted if lang not in translated]
        if not translated:
            raise rules.CampaignRefused(
                f"the audience is empty: no targeted language has a translation ({', '.join(left_out)} left out)"
            )
        if left_out:
            audience = {**audience, "languages": translated, "left_out": left_out}
    return Composed(name, flow_id, question, audience, at, targeted, translated)


def _preview(c: Composed, flowset: Any, catalogs: Any, lang: str) -> tuple[str, list[str], list[str]]:
    """The question and its choices as youth of `lang` would see them, and for a
    one-question campaign what follows them: the optional "why?" and the thank-you."""
    if c.question is not None:
        t = cq.texts_in(c.question, lang)
        then = [t["why"]] if c.question.get("why") else []
        then.append(catalogs.translator(lang).gettext(replies.RESULTS_THANKS))
        return t["question"], list(t["choices"]), then
    flow = flowset.get(c.flow_id)
    step = poll_question(flow)
    if step is None:
        return "", [], []
    tr = catalogs.translator(lang)
    text = tr.gettext(step.lines()[-1], step_context(flow.id, step.id))
    return text, [tr.gettext(ch.label, choice_context(flow.id, step.id, ch.id)) for ch in step.choices], []


async def create(s: AsyncSession, c: Composed, *, by: str | None, now: datetime) -> campaigns.CampaignInfo:
    """The composed campaign, written (in the audit log under `by`)."""
    return await campaigns.create(
        s,
        name=c.name,
        flow_id=c.flow_id,
        question=c.question,
        audience=c.audience,
        scheduled_at=c.at,
        created_by=by,
        now=now,
    )


async def per_language(
    s: AsyncSession, c: Composed, *, flowset: Any, catalogs: Any, now: datetime
) -> tuple[int, list[dict[str, Any]]]:
    """The exact number of recipients, and per targeted language: its youth in the
    audience, whether translated, falling back or left out, and the question as shown."""
    before = {k: v for k, v in c.audience.items() if k != "left_out"}
    if c.audience.get("left_out"):
        before["languages"] = c.targeted
    counts = await campaigns.audience_by_language(s, before, now)
    left_out = set(c.audience.get("left_out") or [])
    rows = []
    for lang in c.targeted:
        text, choices, then = _preview(c, flowset, catalogs, lang)
        rows.append(
            {
                "lang": lang,
                "youth": counts.get(lang, 0),
                "translated": lang in c.translated,
                "left_out": lang in left_out,
                "text": text,
                "choices": choices,
                "then": then,
            }
        )
    return await campaigns.audience_size(s, c.audience, now), rows
