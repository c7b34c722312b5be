"""A one-question campaign: the question, its 2–6 choices and an optional "why?" that an
admin writes per language (the dashboard, the command line), checked with exact errors,
stored with the campaign, and run as a real flow built in memory: the shape of
flows/poll_homework_club.yaml (a choice question saved and forwarded, the "why?" an
optional text, a closing thank-you), under the id `campaign-<id>`.

The flow's texts are the default language's; `QuestionTranslator` gives each language
its own words where the admin wrote them, and the default language's otherwise (the
bot's own fallback). The closing thank-you is the bot's own, translated in the catalogs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from bot.dialogue.campaign_rules import MAX_CHOICES, MIN_CHOICES, CampaignRefused, counted
from bot.engine import model as m
from bot.engine.load import load_flow_text, parse_flow_text
from bot.engine.texts_of import choice_context, step_context, title_context
from bot.i18n import replies
from bot.i18n.catalogs import Catalogs, Translator
from storage.campaigns import QUESTION_FLOW

QUESTION, WHY, THANKS = "question", "why", "thanks"  # the steps' ids
ANSWER = "answer"  # the choice's answer name (the why's is "why"); its values: choice_ids()
FLOW_ID_RE = re.compile("^" + re.escape(QUESTION_FLOW).replace(re.escape("{id}"), r"(\d+)") + "$")
FORMAT = 1  # the stored form's version


def flow_id_of(campaign_id: int) -> str:
    return QUESTION_FLOW.format(id=campaign_id)


def campaign_id_of(flow_id: str | None) -> int | None:
    found = FLOW_ID_RE.match(flow_id or "")
    return int(found.group(1)) if found else None


def choice_ids(labels: list[str]) -> list[str]:
    """Readable ids for the choices (what cards, exports and `campaign results` show):
    the default language's label in plain letters ("👍 Läxhjälp" -> "laxhjalp"), or
    `c<k>` where that leaves nothing or a duplicate. Stored with the question, so an id
    never changes once youth answered with it."""
    out: list[str] = []
    for k, label in enumerate(labels, 1):
        plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
        slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:32].rstrip("_")
        if not m.ID_RE.match(slug) or slug in out:
            slug = f"c{k}"
        while slug in out:
            slug += "_"
        out.append(slug)
    return out


# -- composing ---------------------------------------------------------------------------


def given(texts: Mapping[str, Any]) -> bool:
    return bool(str(texts.get("question") or "").strip() or texts.get("choices") or str(texts.get("why") or "").strip())


def _checked_language(lang: str, texts: Mapping[str, Any], *, default: str, n: int | None) -> dict[str, Any]:
    """One language's texts, or CampaignRefused saying exactly what is wrong."""
    where = f"in {lang!r}" + (" (the default language)" if lang == default else "")
    question = str(texts.get("question") or "").strip()
    if not question:
        raise CampaignRefused(f"the question {where} is empty")
    if len(question) > m.MAX_MESSAGE:
        raise CampaignRefused(
            f"the question {where} is {len(question)} characters; a Telegram message allows {m.MAX_MESSAGE}"
        )
    choices = [str(c).strip() for c in texts.get("choices") or []]
    if len(choices) < MIN_CHOICES:
        raise CampaignRefused(
            f"the question {where} has {counted(len(choices), 'choice')}; it needs at least {MIN_CHOICES}"
        )
    if len(choices) > MAX_CHOICES:
        raise CampaignRefused(f"the question {where} has {len(choices)} choices; it may have at most {MAX_CHOICES}")
    if n is not None and len(choices) != n:
        raise CampaignRefused(
            f"the question {where} has {len(choices)} choices but the default language ({default}) has {n}: "
            "give every choice, in the same order"
        )
    seen: dict[str, int] = {}
    for k, label in enumerate(choices, 1):
        if not label:
            raise CampaignRefused(f"choice {k} {where} is empty")
        if len(label) > m.MAX_LABEL:
            raise CampaignRefused(f"choice {k} {where} is {len(label)} characters; buttons allow {m.MAX_LABEL}")
        if label.casefold() in seen:
            raise CampaignRefused(f"choice {k} {where} is the same as choice {seen[label.casefold()]}: {label!r}")
        seen[label.casefold()] = k
    why = str(texts.get("why") or "").strip()
    if len(why) > m.MAX_MESSAGE:
        raise CampaignRefused(
            f"the why? question {where} is {len(why)} characters; a Telegram message allows {m.MAX_MESSAGE}"
        )
    return {"question": question, "choices": choices, "why": why}


def compose(texts: Mapping[str, Mapping[str, Any]], *, default: str, configured: list[str]) -> dict[str, Any]:
    """The question to store, from each language's `question`, `choices` (a list) and
    `why` (empty: no "why?"); a language with none of them is not given. At least the
    default language; every language given complete. CampaignRefused when not."""
    written = {lang: t for lang, t in texts.items() if given(t)}
    for lang in written:
        if lang not in configured:
            raise CampaignRefused(f"a text for unknown language {lang!r} (languages: {', '.join(configured)})")
    if default not in written:
        raise CampaignRefused(f"the question in {default!r} (the default language) is empty")
    first = _checked_language(default, written[default], default=default, n=None)
    out = {default: first}
    for lang in configured:
        if lang in written and lang != default:
            out[lang] = _checked_language(lang, written[lang], default=default, n=len(first["choices"]))
    asks_why = bool(first["why"])
    for lang, t in out.items():
        if asks_why and not t["why"]:
            raise CampaignRefused(
                f"the why? question in {lang!r} is empty, but the default language ({default}) has one"
            )
        if t["why"] and not asks_why:
            raise CampaignRefused(f"a why? question in {lang!r} needs one in the default language ({default}) too")
    question = {"v": FORMAT, "default": default, "why": asks_why, "ids": choice_ids(first["choices"]), "texts": out}
    build_flow(0, question)  # the engine's rules, now: a stored question always builds
    return question


def translated(question: Mapping[str, Any]) -> list[str]:
    """The languages the admin wrote the question in."""
    return list(question.get("texts") or {})


def texts_in(question: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A language's texts: its own, else the default language's (the bot's fallback)."""
    texts = question["texts"]
    return dict(texts.get(lang) or texts[question["default"]])


# -- the flow ------------------------------------------------------------------------------


def _step_text(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")  # shown as written, never a placeholder


def _title(question: str) -> str:
    line = question.splitlines()[0].replace("{", "(").replace("}", ")")
    return line if len(line) <= m.MAX_LABEL else line[: m.MAX_LABEL - 1] + "…"


def _document(flow_id: str, question: Mapping[str, Any]) -> str:
    t = texts_in(question, question["default"])
    steps: list[dict[str, Any]] = [
        {
            "id": QUESTION,
            "type": "choice",
            "text": _step_text(t["question"]),
            "save": ANSWER,
            "forward": True,
            "choices": [{"id": cid, "label": label} for cid, label in zip(question["ids"], t["choices"], strict=True)],
            "next": WHY if question.get("why") else THANKS,
        }
    ]
    if question.get("why"):
        steps.append(
            {
                "id": WHY,
                "type": "text",
                "text": _step_text(t["why"]),
                "save": WHY,
                "optional": True,
                "forward": True,
                "next": THANKS,
            }
        )
    steps.append({"id": THANKS, "type": "end", "text": replies.RESULTS_THANKS})
    doc = {"id": flow_id, "title": _title(t["question"]), "start": QUESTION, "expires_after": "2d", "steps": steps}
    return json.dumps(doc, ensure_ascii=False, indent=1)  # JSON is YAML: the flow loader reads it as a file


def build_flow(campaign_id: int, question: Mapping[str, Any]) -> m.Flow:
    """The campaign's flow, checked by the engine's own rules (under its twin id with an
    "_": flow files' ids have no "-", so none can take a campaign's); CampaignRefused
    with the engine's words should a rule still object."""
    flow_id = flow_id_of(campaign_id)
    _, problems = load_flow_text(_document(flow_id.replace("-", "_"), question), flow_id)
    flow, more = parse_flow_text(_document(flow_id, question), flow_id)
    if problems or more or flow is None:
        raise CampaignRefused(f"the question cannot be asked: {(problems or more)[0].message}")
    return flow


def own_texts(campaign_id: int, question: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Context -> the words youth of `lang` see, for the campaign's flow."""
    flow_id, t = flow_id_of(campaign_id), texts_in(question, lang)
    out = {title_context(flow_id): _title(t["question"]), step_context(flow_id, QUESTION): _step_text(t["question"])}
    for cid, label in zip(question["ids"], t["choices"], strict=True):
        out[choice_context(flow_id, QUESTION, cid)] = label
    if question.get("why"):
        out[step_context(flow_id, WHY)] = _step_text(t["why"])
    return out


def borrowed(campaign_id: int) -> dict[str, str]:
    """Context -> the bot's own text (no context) that the campaign's flow shows there."""
    return {step_context(flow_id_of(campaign_id), THANKS): replies.RESULTS_THANKS}


class QuestionTranslator(Translator):
    """The catalogs' translator, with one-question campaigns' own words by context (and
    the bot's own texts they borrow, translated as those are)."""

    def __init__(self, catalogs: Catalogs, lang: str, own: Mapping[str, str], lent: Mapping[str, str]) -> None:
        super().__init__(catalogs, lang)
        self._own, self._lent = own, lent

    def gettext(self, msgid: str, context: str | None = None) -> str:
        if context is not None:
            if context in self._own:
                return self._directional(self._own[context])
            if context in self._lent:
                return super().gettext(self._lent[context], None)
        return super().gettext(msgid, context)


def translator(catalogs: Catalogs, lang: str | None, campaign_id: int, question: Mapping[str, Any]) -> Translator:
    """A translator showing this campaign's question in `lang` (or its fallback)."""
    base = catalogs.translator(lang)
    return QuestionTranslator(catalogs, base.lang, own_texts(campaign_id, question, base.lang), borrowed(campaign_id))
