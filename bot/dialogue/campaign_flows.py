"""The one-question campaigns' flows a process knows, beside its flow files.

A youth's session may rest on `campaign-<id>` in any process, after any restart: the
conversation asks `know()` for the flows it is about to run, and a flow not yet known is
built from the question stored with the campaign (one read, then kept). `flowset()` is
the flow files' set with these added; `translator()` the catalogs' with their words;
`flows_in()` the flows as a reader of one language sees them (the dashboard).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import campaign_question as cq
from bot.dialogue.campaign_rules import CampaignRefused
from bot.engine.flowset import FlowSet
from bot.engine.model import Flow
from bot.i18n.catalogs import Catalogs, Translator
from storage import campaigns

log = logging.getLogger(__name__)


class CampaignFlows:
    def __init__(self) -> None:
        self._flows: dict[str, Flow] = {}
        self._questions: dict[int, dict[str, Any]] = {}
        self._merged: tuple[FlowSet, FlowSet] | None = None  # (files' set, with ours)
        self._words: dict[str, tuple[dict[str, str], dict[str, str]]] = {}  # lang -> (own, lent)
        self._shown: dict[str, list[Flow]] = {}  # lang -> the flows in its words

    def add(self, campaign_id: int, question: dict[str, Any]) -> Flow:
        flow = cq.build_flow(campaign_id, question)
        self._flows[flow.id], self._questions[campaign_id] = flow, question
        self._merged, self._words, self._shown = None, {}, {}
        return flow

    async def know(self, s: AsyncSession, flow_ids: Iterable[str | None]) -> None:
        """Load the campaigns' flows among `flow_ids` not known yet (others: nothing)."""
        for flow_id in flow_ids:
            campaign_id = cq.campaign_id_of(flow_id)
            if campaign_id is None or flow_id in self._flows:
                continue
            question = await campaigns.question_of(s, campaign_id)
            if question is None:
                continue
            try:
                self.add(campaign_id, question)
            except CampaignRefused:  # checked when composed; should the rules have changed since:
                log.error("campaign %d: its question no longer builds as a flow", campaign_id)  # (no text)

    def flowset(self, files: FlowSet) -> FlowSet:
        if not self._flows:
            return files
        if self._merged is None or self._merged[0] is not files:
            self._merged = (files, FlowSet({**files.flows, **self._flows}, previous=files))
        return self._merged[1]

    def flows_in(self, lang: str) -> list[Flow]:
        """The known campaigns' flows in `lang`'s words where the admin wrote them, else
        the default language's (as the bot falls back)."""
        shown = self._shown.get(lang)
        if shown is None:
            shown = self._shown[lang] = [self._in(campaign_id, lang) for campaign_id in sorted(self._questions)]
        return shown

    def _in(self, campaign_id: int, lang: str) -> Flow:
        question = self._questions[campaign_id]
        if lang == question["default"] or lang not in cq.translated(question):
            return self._flows[cq.flow_id_of(campaign_id)]
        try:
            return cq.build_flow(campaign_id, {**question, "default": lang})  # the same ids, its words
        except CampaignRefused:  # the engine's rules on that language's words: its default's then
            return self._flows[cq.flow_id_of(campaign_id)]

    def translator(self, catalogs: Catalogs, lang: str | None) -> Translator:
        base = catalogs.translator(lang)
        if not self._questions:
            return base
        words = self._words.get(base.lang)
        if words is None:
            own: dict[str, str] = {}
            lent: dict[str, str] = {}
            for campaign_id, question in self._questions.items():
                own.update(cq.own_texts(campaign_id, question, base.lang))
                lent.update(cq.borrowed(campaign_id))
            words = self._words[base.lang] = (own, lent)
        return cq.QuestionTranslator(catalogs, base.lang, *words)
