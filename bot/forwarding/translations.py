"""Machine translation of what reaches the team, from plain values: the translator
interface a provider implements (one module each, in bot/translation/), the bot's
language codes as a provider's, which texts of a submission are sent (its anonymised
answers' text, nothing else), and the cache key of a text.

A language the provider lacks is "no machine translation": never sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.engine.model import Flow, TextStep

MACHINE, HUMAN = "machine", "human"
BACKOFF_MAX = 300.0  # seconds between tries of a provider that does not answer, at most
KINDS = (MACHINE, HUMAN)
# Bot language codes whose provider code is not simply the part before "_".
PROVIDER_CODES = {"fa_AF": "fa"}

Languages = Mapping[str, frozenset[str]]  # a provider's source code -> its target codes


class TranslationFailed(Exception):
    """The provider did not translate (down, slow, refused): try again later. The message
    is for admins and holds no text."""


class MachineTranslator(Protocol):
    """One translation provider (bot/translation/libretranslate.py)."""

    name: str

    async def languages(self) -> Languages:
        """What it translates, read from the provider; raises TranslationFailed."""
        ...

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """`texts` from `source` into `target` (provider codes), in order; raises TranslationFailed."""
        ...


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: 1, 2, 4, … up to 5 minutes."""
    return float(min(2 ** max(attempts, 0), BACKOFF_MAX))


def provider_code(lang: str) -> str:
    """The provider's code for a bot language: fa_AF -> fa, sv -> sv."""
    return PROVIDER_CODES.get(lang, lang.split("_", 1)[0].lower())


def can_translate(languages: Languages, source: str, target: str) -> bool:
    """Whether the provider translates bot language `source` into `target`."""
    return provider_code(target) in languages.get(provider_code(source), frozenset())


def source_language(sub: Any) -> str:
    """The language a submission is written in: the one detected in its text when there
    is one, else the youth's chosen language."""
    return str(sub.detected_language or sub.language)


def written_answers(flow: Flow | None) -> set[str] | None:
    """The answers of a flow that a youth writes (text steps that do not ask for a name);
    None when the flow is not known (then every text answer counts)."""
    if flow is None:
        return None
    return {
        step.save for step in flow.steps.values() if isinstance(step, TextStep) and step.save and not step.asks_name
    }


def texts_of(answers: Mapping[str, Any] | None, written: set[str] | None) -> dict[str, str]:
    """The answers worth translating (already anonymised): what the youth wrote (not the
    choices they pressed), not empty, by name."""
    return {
        name: value
        for name, value in (answers or {}).items()
        if isinstance(value, str) and value.strip() and (written is None or name in written)
    }


def text_hash(text: str, source: str, target: str) -> str:
    """The cache key of one text in one direction (SHA-256, hex)."""
    return hashlib.sha256(f"{source}\x00{target}\x00{text}".encode()).hexdigest()


def card_block(translations: Sequence[Any], jobs: Sequence[tuple[str, str, str]]) -> str:
    """What a staff card says of its translations, human ones first: each translation
    (kind, target, who or which engine), then for each job (source, target, status) not
    yet shown: on its way, or "no machine translation" (a person can add one with /tr)."""
    lines: list[str] = []
    shown: set[tuple[str, str]] = set()
    for t in translations:
        if (t.kind, t.target) in shown:
            continue  # the newest of each kind and target
        shown.add((t.kind, t.target))
        who = f"by {t.by}" if t.kind == HUMAN and t.by else (t.provider or t.kind)
        lines += [f"🌐 {t.source}→{t.target} · {t.kind} ({who}):", t.text]
    for source, target, status in jobs:
        if status == "unsupported" and not any(target == t for _k, t in shown):
            lines.append(f"🌐 {source}→{target}: no machine translation — reply /tr <text> to add one")
        elif status == "pending":
            lines.append(f"🌐 {source}→{target}: machine translation on its way")
    return "\n".join(lines)


def joined(texts: Mapping[str, str]) -> str:
    """Translated answers as staff read them: `name: text` lines."""
    return "\n".join(f"{name}: {text}" for name, text in texts.items())
