"""The shipped catalogs against the shipped flows and code.

Extraction runs in-process over the real project, so this fails when a flow text or
an N_() string was added or changed without `python -m bot i18n extract` + `update`,
when a language lacks a translation, or when a translation's {placeholders} differ.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.model import MAX_LABEL
from bot.i18n.catalogs import Catalogs, po_path
from bot.i18n.cli import extract_template, placeholder_problems, read_catalog, template_path
from bot.base.settings import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"


@pytest.fixture(scope="module")
def template():
    return extract_template(ROOT)


def keys(catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def test_template_on_disk_is_up_to_date(template) -> None:
    on_disk = read_catalog(template_path(LOCALES))
    stale = keys(template) ^ keys(on_disk)
    assert not stale, f"run `python -m bot i18n extract` and `update`: {sorted(stale, key=str)[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_translated(template, lang: str) -> None:
    catalog = read_catalog(po_path(LOCALES, lang), lang)
    untranslated = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, context=wanted.context)
        strings = (
            [] if message is None else ([message.string] if isinstance(message.string, str) else list(message.string))
        )
        if not strings or not all(s and s.strip() for s in strings):
            untranslated.append(f"{wanted.context or '-'}: {wanted.id[:40]}")
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_source(lang: str) -> None:
    catalog = read_catalog(po_path(LOCALES, lang), lang)
    problems = [p for message in catalog if message.id for p in placeholder_problems(message)]
    assert not problems, f"{lang}: {problems}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_button_labels_stay_short(template, lang: str) -> None:
    catalog = read_catalog(po_path(LOCALES, lang), lang)
    buttons = [m for m in template if m.id and any("Button label" in c for c in m.auto_comments)]
    assert buttons
    too_long = [m.string for b in buttons if (m := catalog.get(b.id, context=b.context)) and len(m.string) > MAX_LABEL]
    assert not too_long, f"{lang}: longer than {MAX_LABEL} characters: {too_long}"


def test_english_is_the_source_and_reviewed() -> None:
    catalog = read_catalog(po_path(LOCALES, "en"), "en")
    assert all(m.string and not m.fuzzy for m in catalog if m.id)


def test_runtime_finds_every_text_in_every_language(template) -> None:
    catalogs = Catalogs.load(LOCALES, LANGUAGES, "sv", show_fuzzy=True)
    for lang in LANGUAGES:
        tr = catalogs.translator(lang)
        for message in template:
            if message.id:
                tr.gettext(message.id, message.context)
    assert catalogs.missing_count == 0


def test_status_command_counts_only_reviewed_texts_as_done() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "i18n", "status"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    table = result.stdout.split("\n\n")[0].splitlines()[1:]
    rows = {line.split()[0]: line.split() for line in table}
    for lang in LANGUAGES:
        catalog = read_catalog(po_path(LOCALES, lang), lang)
        entries = [m for m in catalog if m.id]
        reviewed = sum(not m.fuzzy for m in entries)
        _lang, shown_reviewed, drafts, missing, done, _critical, *_name = rows[lang]
        assert (int(shown_reviewed), int(drafts), int(missing)) == (reviewed, len(entries) - reviewed, 0), lang
        assert done == f"{100 * reviewed // len(entries)}%", result.stdout
    assert "placeholder problem" not in result.stdout
