"""Scoring the anonymiser on labelled corpora: recall per type and language, and how
many harmless sentences it alters.

A labelled sentence marks every identifying span as `[[LABEL:text]]` (see
tests/corpus/identifying.yaml); a clean corpus maps a language to harmless sentences.
`python -m bot anonymize --score` prints the tables for the project's corpora, the
held-out parts (heldout.yaml, heldout2.yaml) separately. The finder functions are parameters so the benchmark can
score another version of the anonymiser with the same code.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from .span import LABELS, Span

LANGS = ("sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk")
CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"
_MARK = re.compile(r"\[\[([A-Z-]+):(.+?)\]\]")

FindSpans = Callable[..., list[Span]]
Anonymize = Callable[..., str]


class CorpusError(ValueError):
    """A corpus file that cannot be read as labelled sentences."""


@dataclass
class Item:
    """One labelled sentence: the plain text, its labelled spans and the expected output."""

    lang: str
    text: str
    expected: str
    labels: list[Span]
    names: list[str] = field(default_factory=list)
    name_answer: bool = False

    @classmethod
    def parse(cls, lang: str, raw: str | dict[str, Any]) -> Item:
        entry = raw if isinstance(raw, dict) else {"text": raw}
        marked = entry["text"]
        labels: list[Span] = []
        plain: list[str] = []
        expected: list[str] = []
        pos = offset = 0
        for m in _MARK.finditer(marked):
            label, value = m.groups()
            if label not in LABELS:
                raise CorpusError(f"unknown label {label} in {marked!r}")
            before = marked[pos : m.start()]
            plain.append(before)
            expected.append(before)
            offset += len(before)
            labels.append(Span(offset, offset + len(value), label))
            plain.append(value)
            expected.append(f"[{label}]")
            offset += len(value)
            pos = m.end()
        plain.append(marked[pos:])
        expected.append(marked[pos:])
        return cls(
            lang,
            "".join(plain),
            "".join(expected),
            labels,
            list(entry.get("names", [])),
            bool(entry.get("name_answer", False)),
        )

    def kwargs(self) -> dict[str, Any]:
        return {"names": self.names, "name_answer": self.name_answer}


def _load(path: Path, key: str | None) -> dict[str, list[Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if key is not None:
        data = data[key]
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping of language to sentences")
    return data


def load_labelled(path: Path, key: str | None = None) -> list[Item]:
    return [Item.parse(lang, raw) for lang, items in _load(path, key).items() for raw in items]


def load_clean(*sources: tuple[Path, str | None]) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = defaultdict(list)
    for path, key in sources:
        for lang, sentences in _load(path, key).items():
            clean[lang].extend(sentences)
    return dict(clean)


@dataclass
class Score:
    found: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    total: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    clean_changed: Counter[str] = field(default_factory=Counter)
    clean_total: Counter[str] = field(default_factory=Counter)
    extra: Counter[str] = field(default_factory=Counter)  # spans outside any label
    misses: list[str] = field(default_factory=list)

    def recall(self, label: str, lang: str | None = None) -> float:
        hit = sum(self.found[label].values()) if lang is None else self.found[label][lang]
        n = sum(self.total[label].values()) if lang is None else self.total[label][lang]
        return hit / n if n else 1.0

    def clean_rate(self, lang: str | None = None) -> float:
        changed = sum(self.clean_changed.values()) if lang is None else self.clean_changed[lang]
        n = sum(self.clean_total.values()) if lang is None else self.clean_total[lang]
        return changed / n if n else 0.0

    @property
    def labels(self) -> list[str]:
        return [label for label in LABELS if self.total[label]]


def score(items: Iterable[Item], clean: dict[str, list[str]], *, find_spans: FindSpans, anonymize: Anonymize) -> Score:
    s = Score()
    for item in items:
        spans = find_spans(item.text, **item.kwargs())
        for lab in item.labels:
            s.total[lab.label][item.lang] += 1
            if any(p.label == lab.label and p.start <= lab.start and p.end >= lab.end for p in spans):
                s.found[lab.label][item.lang] += 1
            else:
                s.misses.append(f"  {lab.label} {item.lang}: {item.text[lab.start : lab.end]!r} in {item.text!r}")
        for p in spans:
            if not any(p.start < lab.end and lab.start < p.end for lab in item.labels):
                s.extra[item.lang] += 1
                s.misses.append(f"  extra {p.label} {item.lang}: {item.text[p.start : p.end]!r} in {item.text!r}")
    for lang, sentences in clean.items():
        for sentence in sentences:
            s.clean_total[lang] += 1
            out = anonymize(sentence)
            if out != sentence:
                s.clean_changed[lang] += 1
                s.misses.append(f"  altered {lang}: {sentence!r} -> {out!r}")
    return s


def table(s: Score) -> str:
    cols = [*LANGS, "all"]
    lines = ["recall".ljust(11) + "".join(c.rjust(8) for c in cols)]
    for label in s.labels:
        cells = []
        for lang in cols:
            n = sum(s.total[label].values()) if lang == "all" else s.total[label][lang]
            cells.append((f"{s.recall(label, None if lang == 'all' else lang):.3f}" if n else "-").rjust(8))
        lines.append(label.ljust(11) + "".join(cells))
    counts = [f"{s.clean_changed[lang]}/{s.clean_total[lang]}" for lang in LANGS]
    counts.append(f"{sum(s.clean_changed.values())}/{sum(s.clean_total.values())}")
    lines.append("altered".ljust(11) + "".join(c.rjust(8) for c in counts))
    lines.append(f"clean sentences altered: {s.clean_rate():.2%}; spans outside any label: {sum(s.extra.values())}")
    return "\n".join(lines)


def project_corpora(corpus: Path = CORPUS) -> dict[str, tuple[list[Item], dict[str, list[str]]]]:
    """The project's corpora: the tuning part and the two held-out parts, separately."""
    parts = {
        "corpus (tuning)": (
            load_labelled(corpus / "identifying.yaml"),
            load_clean((corpus / "ordinary.yaml", None), (corpus / "clean.yaml", None)),
        ),
    }
    for title, name in (("held out", "heldout.yaml"), ("held out 2", "heldout2.yaml")):
        heldout = corpus / name
        parts[title] = (load_labelled(heldout, "identifying"), load_clean((heldout, "clean")))
    return parts


def score_command(out: TextIO, *, misses: bool = False, corpus: Path = CORPUS) -> int:
    from .anonymizer import anonymize, find_spans

    try:
        parts = project_corpora(corpus)
    except (OSError, CorpusError, KeyError, yaml.YAMLError) as exc:
        out.write(f"{corpus}:0:0: cannot read the corpus: {exc}\n")
        return 1
    for title, (items, clean) in parts.items():
        s = score(items, clean, find_spans=find_spans, anonymize=anonymize)
        out.write(f"{title}: {len(items)} labelled sentences, {sum(s.clean_total.values())} clean\n")
        out.write(table(s) + "\n")
        if misses and s.misses:
            out.write("\n".join(s.misses) + "\n")
        out.write("\n")
    return 0
