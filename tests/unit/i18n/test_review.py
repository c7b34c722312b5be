"""Reviewing translations: honest status, the checks before saving, the entry-local .po
round trip, refused concurrent edits, and the per-language fallback for drafts.

The catalogs are copies of the shipped ones (or small invented ones) in tmp folders.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import replies
from bot.i18n.catalogs import Catalogs, po_path
from bot.i18n.checks import BUTTON_LIMIT, MESSAGE_LIMIT, translation_problems
from bot.i18n.cli import read_catalog, template_path
from bot.i18n.critical import is_critical
from bot.i18n.poedit import EntryChanged, EntryNotFound, compile_mo, locate_all, save_entry
from tests.i18nfixtures import draft_locales
from bot.i18n.review import DRAFT, REVIEWED, catalog_status, language_status, language_texts

HELP_BUTTON = ("safeguarding/help/button", "I want to talk to someone now")
TODAY = date(2026, 12, 3)


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    return draft_locales(tmp_path / "locales")


def entry(locales: Path, lang: str, key: tuple[str | None, str]):
    return locate_all(po_path(locales, lang).read_text(encoding="utf-8"), lang)[key]


# --- status ------------------------------------------------------------------------


def test_a_catalog_of_drafts_is_not_done(locales: Path) -> None:
    template = read_catalog(template_path(locales))
    catalog = read_catalog(po_path(locales, "ti"), "ti")
    for message in catalog:  # every text translated, every one a draft
        if message.id:
            message.flags.add("fuzzy")
    status = catalog_status(template, catalog, "ti")
    total = sum(1 for m in template if m.id)
    assert (status.reviewed, status.draft, status.missing) == (0, total, 0)
    assert status.percent == 0
    assert status.critical_total == len(status.critical_unreviewed) > 0
    catalog.get(HELP_BUTTON[1], context=HELP_BUTTON[0]).flags.discard("fuzzy")
    one = catalog_status(template, catalog, "ti")
    assert (one.reviewed, one.percent, len(one.critical_unreviewed)) == (1, 100 // total, one.critical_total - 1)
    english = language_status(template, locales, "en")
    assert english.percent == 100 and not english.critical_unreviewed


def test_a_reviewed_text_counts_and_leaves_the_critical_list(locales: Path) -> None:
    template = read_catalog(template_path(locales))
    before = language_status(template, locales, "ti")
    found = entry(locales, "ti", HELP_BUTTON)
    save_entry(po_path(locales, "ti"), "ti", *HELP_BUTTON, found.digest, forms=None, role="translator")
    after = language_status(template, locales, "ti")
    assert (after.reviewed, after.draft) == (before.reviewed + 1, before.draft - 1)
    assert HELP_BUTTON in [t.key for t in before.critical_unreviewed]
    assert HELP_BUTTON not in [t.key for t in after.critical_unreviewed]


def test_missing_texts_are_counted_and_safety_critical_ones_listed_first(locales: Path) -> None:
    template = read_catalog(template_path(locales))
    catalog = read_catalog(po_path(locales, "so"), "so")
    catalog.delete(HELP_BUTTON[1], context=HELP_BUTTON[0])
    status = catalog_status(template, catalog, "so")
    assert status.missing == 1 and status.percent == 0
    texts = language_texts(template, locales, "so")
    flags = [t.critical for t in texts]
    assert flags == sorted(flags, reverse=True) and flags[0] and not flags[-1]
    assert {t.state for t in texts} == {DRAFT}  # the fixture's drafts


def test_the_safety_critical_texts_are_consent_privacy_crisis_and_helplines() -> None:
    assert is_critical("safeguarding/help/bris", "BRIS 116 111 …")
    assert is_critical("onboarding/consent", "Is this OK for you?")
    assert is_critical("onboarding/about_data", "• We delete your answers after 30 days.")
    assert is_critical(None, replies.TEAM_ASKS_HINT)
    assert not is_critical("onboarding/age", "How old are you?")
    assert not is_critical("onboarding/consent_later", "x")  # a prefix of a step, not the step
    assert not is_critical(None, replies.DELETE_KEPT)


# --- checks ------------------------------------------------------------------------


def test_a_lost_placeholder_is_named_exactly() -> None:
    problems = translation_problems("The team asks: {question}", ["ጉጅለ ይሓትት: {ሕቶ}"], lang="ti", limit=4096)
    assert problems == [
        "the translation lacks the placeholder {question}; keep it exactly as in the English text",
        "the translation has the placeholder {ሕቶ}, which the English text does not have",
    ]
    assert translation_problems("Hi {name}", ["ሰላም {name"], lang="ti", limit=4096) == [
        "the translation has a { or } that is not part of a placeholder; keep braces only in {names}"
    ]


def test_helpline_numbers_and_commands_must_stay() -> None:
    source = "Call BRIS on 116 111 or write /delete. Chat at bris.se"
    problems = translation_problems(source, ["ደውሉ 116 11 ወይ /ደምስስ ጽሓፉ።"], lang="ti", limit=4096)
    assert "the translation lacks “116 111”; keep it exactly as in the English text" in problems
    assert "the translation lacks “/delete”; keep it exactly as in the English text" in problems
    assert "the translation lacks “bris.se”; keep it exactly as in the English text" in problems
    assert not translation_problems(source, ["BRIS 116 111 ደውሉ ወይ /delete ጽሓፉ። bris.se"], lang="ti", limit=4096)


def test_length_limits_of_buttons_and_messages() -> None:
    assert translation_problems("Skip", ["ሕለፍ" * 22], lang="ti", limit=BUTTON_LIMIT) == [
        f"the translation has 66 characters; at most {BUTTON_LIMIT} fit here"
    ]
    assert translation_problems("Hello", ["ሀ" * MESSAGE_LIMIT], lang="ti", limit=MESSAGE_LIMIT) == []
    assert translation_problems("Hello", ["  "], lang="ti", limit=MESSAGE_LIMIT) == ["the translation is empty"]


def test_plural_forms_follow_cldr() -> None:
    msgid = ("You have one idea.", "You have {n} ideas.")
    four = ["{n} ідея", "{n} ідеї", "{n} ідей", "{n} ідеї"]
    assert translation_problems(msgid, four, lang="uk", limit=4096) == []
    problems = translation_problems(msgid, four[:2], lang="uk", limit=4096)
    assert problems == ["uk has 4 plural forms (one, few, many, other); 2 were given"]
    arabic = translation_problems(msgid, ["x"] * 6, lang="ar", limit=4096)
    assert "plural form 1 (one) lacks the placeholder {n}; keep it exactly as in the English text" in arabic


# --- the .po round trip ------------------------------------------------------------


def test_saving_changes_only_the_reviewed_entry(locales: Path) -> None:
    path = po_path(locales, "ti")
    # as another tool (Poedit, Weblate) might have written it: Babel would rewrite both
    hand_made = path.read_text(encoding="utf-8").replace(
        'msgid "Yes, delete everything"\nmsgstr "', 'msgid "Yes, delete everything"\nmsgstr ""\n"', 1
    )
    assert hand_made != path.read_text(encoding="utf-8")
    path.write_text("# Kept by hand: a comment of the Tigrinya team.\n" + hand_made, encoding="utf-8")
    before = path.read_bytes()
    found = entry(locales, "ti", HELP_BUTTON)
    new = "ምስ ሓደ ሰብ ካብ ጉጅለ ክዛረብ እደሊ ኢየ"
    save_entry(path, "ti", *HELP_BUTTON, found.digest, forms=[new], role="translator", today=TODAY)
    after = path.read_bytes()
    old_lines, new_lines = before.decode().splitlines(True), after.decode().splitlines(True)
    # every byte before and after the entry's block is the same
    assert after.startswith("".join(old_lines[: found.start]).encode())
    assert after.endswith("".join(old_lines[found.end :]).encode())
    block = new_lines[found.start : len(new_lines) - (len(old_lines) - found.end)]
    assert "# reviewed: translator, 2026-12-03\n" in block
    assert not any("fuzzy" in line for line in block)
    assert f'msgstr "{new}"\n' in block
    assert [line for line in block if line.startswith(("#:", "msgctxt", "msgid"))] == [
        line for line in old_lines[found.start : found.end] if line.startswith(("#:", "msgctxt", "msgid"))
    ]
    with path.open("rb") as fh:
        message = read_po(fh, locale="ti").get(HELP_BUTTON[1], context=HELP_BUTTON[0])
    assert message.string == new and not message.fuzzy
    assert message.user_comments == ["reviewed: translator, 2026-12-03"]


def test_a_long_text_is_wrapped_as_babel_writes_it_and_a_comment_kept(locales: Path) -> None:
    from io import BytesIO

    from babel.messages.pofile import write_po

    path = po_path(locales, "ps")
    key = next(
        t.key for t in language_texts(read_catalog(template_path(locales)), locales, "ps") if len(t.forms[0]) > 100
    )
    found = entry(locales, "ps", key)
    long = " ".join(["دا یو اوږد متن دی چې باید په څو کرښو ووېشل شي"] * 4)
    save_entry(path, "ps", *key, found.digest, forms=[long], role="admin", note="Checked  with\nKarim's class")
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="ps")
    message = catalog.get(key[1], context=key[0])
    assert (
        message.user_comments[0].startswith("note (admin, ")
        and "Checked with Karim's class" in message.user_comments[0]
    )
    rewritten = BytesIO()
    write_po(rewritten, catalog, width=100, include_previous=True)
    lines = path.read_text(encoding="utf-8").splitlines(True)
    mine = locate_all("".join(lines), "ps")[key]
    assert "".join(lines[mine.start : mine.end]) in rewritten.getvalue().decode()  # Babel would write the same


def test_a_second_save_with_the_old_digest_is_refused_and_changes_nothing(locales: Path) -> None:
    path = po_path(locales, "ti")
    digest = entry(locales, "ti", HELP_BUTTON).digest
    save_entry(path, "ti", *HELP_BUTTON, digest, forms=["ሓደ"], role="translator")
    first = path.read_bytes()
    with pytest.raises(EntryChanged):
        save_entry(path, "ti", *HELP_BUTTON, digest, forms=["ክልተ"], role="translator")
    assert path.read_bytes() == first
    with pytest.raises(EntryNotFound):
        save_entry(path, "ti", "no/such", "text", digest, forms=["x"], role="translator")


def test_two_reviewers_at_once_one_wins_the_other_is_told(locales: Path) -> None:
    path = po_path(locales, "ti")
    digest = entry(locales, "ti", HELP_BUTTON).digest
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def review(text: str) -> None:
        start.wait()
        try:
            save_entry(path, "ti", *HELP_BUTTON, digest, forms=[text], role="translator")
            outcome[text] = "saved"
        except EntryChanged:
            outcome[text] = "told"

    threads = [threading.Thread(target=review, args=(t,)) for t in ("ሓደ", "ክልተ")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome.values()) == ["saved", "told"]
    winner = next(text for text, result in outcome.items() if result == "saved")
    assert entry(locales, "ti", HELP_BUTTON).message.string == winner


def test_other_entries_of_the_file_can_be_saved_after_one_changed(locales: Path) -> None:
    path = po_path(locales, "ti")
    texts = language_texts(read_catalog(template_path(locales)), locales, "ti")
    first, second = texts[0], texts[1]
    save_entry(path, "ti", first.context, first.singular, first.digest, forms=None, role="translator")
    save_entry(path, "ti", second.context, second.singular, second.digest, forms=None, role="translator")
    states = {t.key: t.state for t in language_texts(read_catalog(template_path(locales)), locales, "ti")}
    assert states[first.key] == states[second.key] == REVIEWED


def test_the_mo_file_is_compiled_beside_the_po(locales: Path) -> None:
    from babel.messages.mofile import read_mo

    found = entry(locales, "ti", HELP_BUTTON)
    save_entry(po_path(locales, "ti"), "ti", *HELP_BUTTON, found.digest, forms=["ሓደ"], role="translator")
    mo = compile_mo(po_path(locales, "ti"), "ti", use_fuzzy=False)
    with mo.open("rb") as fh:
        compiled = read_mo(fh)
    assert compiled.get(HELP_BUTTON[1], context=HELP_BUTTON[0]).string == "ሓደ"
    assert sum(1 for m in compiled if m.id) == 1  # drafts are left out without SHOW_FUZZY


# --- the fallback for drafts ---------------------------------------------------------


def _catalogs(locales: Path, fallbacks: dict[str, str]) -> Catalogs:
    return Catalogs.load(locales, ["sv", "en", "ti"], "sv", show_fuzzy=True, fallbacks=fallbacks)


def test_drafts_are_shown_unless_the_language_falls_back(locales: Path) -> None:
    draft = entry(locales, "ti", HELP_BUTTON).message.string
    age = entry(locales, "ti", ("onboarding/age", "How old are you?")).message.string
    shown = _catalogs(locales, {}).translator("ti")
    assert shown.gettext(HELP_BUTTON[1], HELP_BUTTON[0]) == draft
    critical_only = _catalogs(locales, {"ti": "en:critical"}).translator("ti")
    assert critical_only.gettext(HELP_BUTTON[1], HELP_BUTTON[0]) == HELP_BUTTON[1]  # the English source
    assert critical_only.gettext("How old are you?", "onboarding/age") == age  # not critical: the draft
    everything = _catalogs(locales, {"ti": "en"}).translator("ti")
    assert everything.gettext("How old are you?", "onboarding/age") == "How old are you?"


def test_the_fallback_takes_a_reviewed_text_only_and_a_reviewed_one_wins(locales: Path) -> None:
    sv = entry(locales, "sv", HELP_BUTTON)
    catalogs = _catalogs(locales, {"ti": "sv:critical"})
    assert catalogs.translator("ti").gettext(HELP_BUTTON[1], HELP_BUTTON[0]) == HELP_BUTTON[1]  # sv is a draft too
    save_entry(po_path(locales, "sv"), "sv", *HELP_BUTTON, sv.digest, forms=None, role="translator")
    catalogs.reload()
    assert catalogs.translator("ti").gettext(HELP_BUTTON[1], HELP_BUTTON[0]) == sv.message.string
    ti = entry(locales, "ti", HELP_BUTTON)
    save_entry(po_path(locales, "ti"), "ti", *HELP_BUTTON, ti.digest, forms=None, role="translator")
    catalogs.reload()
    assert catalogs.translator("ti").gettext(HELP_BUTTON[1], HELP_BUTTON[0]) == ti.message.string


def test_a_fallback_setting_must_name_a_language() -> None:
    from pydantic import ValidationError

    from bot.base.settings import Settings

    assert Settings(_env_file=None, unreviewed_fallback={"ti": "en:critical"}).unreviewed_fallback == {
        "ti": "en:critical"
    }
    for bad in ({"ti": "en:some"}, {"ti": ""}, {"ti": "ti"}):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, unreviewed_fallback=bad)


def test_the_status_command_lists_unreviewed_safety_critical_texts(locales: Path) -> None:
    import io

    from bot.i18n.cli import print_status

    template = read_catalog(template_path(locales))
    found = entry(locales, "uk", HELP_BUTTON)
    save_entry(po_path(locales, "uk"), "uk", *HELP_BUTTON, found.digest, forms=None, role="translator")
    statuses = [catalog_status(template, read_catalog(po_path(locales, lang), lang), lang) for lang in ("ti", "uk")]
    out = io.StringIO()
    print_status(statuses, {}, out)
    text = out.getvalue()
    critical = statuses[0].critical_total
    assert text.splitlines()[1].split()[:6] == ["ti", "0", str(statuses[0].total), "0", "0%", f"0/{critical}"]
    assert "safety-critical text(s) not reviewed in every language:" in text
    assert "safeguarding/help/button: 'I want to talk to someone now'  (ti)\n" in text  # uk reviewed it
