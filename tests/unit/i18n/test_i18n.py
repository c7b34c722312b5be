"""bot.i18n.catalogs: catalogs, fallback, plurals, placeholders, RTL isolation, names, negotiation."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.i18n.catalogs import (
    FSI,
    PDI,
    Catalogs,
    bidi_isolate,
    get_catalogs,
    language_choices,
    negotiate,
    plural_forms_header,
    po_path,
)
from bot.base.settings import LANGUAGES, Settings

GREETING = "Hello {name}, you are {age} years old."
APPLES = ("You have one idea.", "You have {n} ideas.")
SHIPPED_LOCALES = Path(__file__).resolve().parents[3] / "locales"


def write_catalog(locales: Path, lang: str, entries: list[tuple], fuzzy: set[str] = frozenset()) -> None:
    """entries: (context, msgid, msgstr); msgid/msgstr tuples for plurals."""
    catalog = Catalog(locale=lang, domain="messages")
    catalog.fuzzy = False
    catalog.mime_headers = [("Plural-Forms", plural_forms_header(lang))]
    for context, msgid, msgstr in entries:
        key = msgid if isinstance(msgid, str) else msgid[0]
        flags = ("fuzzy",) if key in fuzzy else ()
        catalog.add(msgid, msgstr, context=context, flags=flags)
    path = po_path(locales, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    write_catalog(
        tmp_path,
        "sv",
        [
            ("intro/hello", "Hello!", "Hej!"),
            (None, GREETING, "Hej {name}, du är {age} år."),
            (None, "Only Swedish has this.", "Bara svenska har detta."),
            (None, APPLES, ("Du har en idé.", "Du har {n} idéer.")),
        ],
    )
    write_catalog(tmp_path, "en", [("intro/hello", "Hello!", "Hello!")])
    write_catalog(
        tmp_path,
        "ar",
        [
            ("intro/hello", "Hello!", "مرحبا!"),
            (None, GREETING, "مرحبا {name}، عمرك {age} سنة."),
            (None, APPLES, ("zero {n}", "one {n}", "two {n}", "few {n}", "many {n}", "other {n}")),
            (None, "Broken on purpose {name}", "معطوب {nom}"),
            (None, "Unreviewed", "غير مراجع"),
        ],
        fuzzy={"Unreviewed"},
    )
    write_catalog(
        tmp_path,
        "uk",
        [
            (None, APPLES, ("one {n}", "few {n}", "many {n}", "other {n}")),
        ],
    )
    return tmp_path


def load(locales: Path, show_fuzzy: bool = True, languages=("sv", "en", "ar", "uk")) -> Catalogs:
    return Catalogs.load(locales, list(languages), "sv", show_fuzzy)


def test_gettext_uses_context(locales: Path) -> None:
    tr = load(locales).translator("ar")
    assert tr.gettext("Hello!", "intro/hello") == "مرحبا!"
    assert tr.lang == "ar"


def test_reload_keeps_a_catalog_that_became_unreadable(locales: Path) -> None:
    catalogs = load(locales)
    po_path(locales, "ar").write_bytes(b"\xff\xfe not a catalog")
    catalogs.reload()
    assert catalogs.translator("ar").gettext("Hello!", "intro/hello") == "مرحبا!"


def test_fallback_chain_language_then_swedish_then_source(locales: Path) -> None:
    catalogs = load(locales)
    ar = catalogs.translator("ar")
    assert ar.gettext("Only Swedish has this.") == "Bara svenska har detta."
    assert ar.gettext("Nobody has this.") == "Nobody has this."
    # English is the source language: it never falls back to Swedish
    assert catalogs.translator("en").gettext("Only Swedish has this.") == "Only Swedish has this."
    # a context that is not in the catalog is a different message
    assert ar.gettext("Hello!", "other/step") == "Hello!"


def test_missing_is_logged_once_without_the_text(locales: Path, caplog: pytest.LogCaptureFixture) -> None:
    catalogs = load(locales)
    tr = catalogs.translator("uk")
    with caplog.at_level(logging.WARNING, logger="bot.i18n.catalogs"):
        for _ in range(3):
            tr.gettext("A secret sentence", "flow/step")
    assert catalogs.missing_count == 1
    records = [r.getMessage() for r in caplog.records]
    assert len(records) == 1
    assert "flow/step" in records[0] and "uk" in records[0]
    assert "secret" not in records[0]
    tr.gettext("Another one")
    assert catalogs.missing_count == 2


def test_unknown_language_gets_default(locales: Path) -> None:
    tr = load(locales).translator("xx")
    assert tr.lang == "sv"
    assert tr.gettext("Hello!", "intro/hello") == "Hej!"


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "zero"),
        (1, "one"),
        (2, "two"),
        (3, "few"),
        (10, "few"),
        (11, "many"),
        (99, "many"),
        (100, "other"),
        (102, "other"),
        (103, "few"),
        (111, "many"),
    ],
)
def test_arabic_has_six_plural_forms(locales: Path, n: int, form: str) -> None:
    tr = load(locales).translator("ar")
    assert tr.ngettext(*APPLES, n) == f"{form} {{n}}"


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (1, "one"),
        (21, "one"),
        (11, "many"),
        (2, "few"),
        (4, "few"),
        (22, "few"),
        (12, "many"),
        (5, "many"),
        (0, "many"),
        (1.5, "other"),
    ],
)
def test_ukrainian_has_four_plural_forms(locales: Path, n: float, form: str) -> None:
    tr = load(locales).translator("uk")
    assert tr.ngettext(*APPLES, n) == f"{form} {{n}}"


def test_plural_header_follows_cldr() -> None:
    assert plural_forms_header("ar").startswith("nplurals=6;")
    assert plural_forms_header("uk").startswith("nplurals=4;")
    assert plural_forms_header("sv").startswith("nplurals=2;")


def test_plural_falls_back_with_the_default_languages_rules(locales: Path) -> None:
    en = load(locales).translator("en")
    assert en.ngettext(*APPLES, 1) == APPLES[0]
    assert en.nformat(*APPLES, 3) == "You have 3 ideas."
    fa = load(locales, languages=("sv", "fa_AF")).translator("fa_AF")
    assert fa.nformat(*APPLES, 5) == f"Du har {FSI}5{PDI} idéer."


def test_format_in_rtl_isolates_every_value(locales: Path) -> None:
    tr = load(locales).translator("ar")
    assert tr.is_rtl
    out = tr.format(GREETING, name="Lina", age=16)
    assert out == f"مرحبا {FSI}Lina{PDI}، عمرك {FSI}16{PDI} سنة."


def test_format_in_ltr_isolates_only_other_directions(locales: Path) -> None:
    tr = load(locales).translator("sv")
    assert not tr.is_rtl
    assert tr.format(GREETING, name="Lina", age=1500) == "Hej Lina, du är 1\xa0500 år."
    assert tr.format(GREETING, name="سارا", age=16) == f"Hej {FSI}سارا{PDI}, du är 16 år."


def test_broken_translation_falls_back_to_source(locales: Path, caplog: pytest.LogCaptureFixture) -> None:
    tr = load(locales).translator("ar")
    with caplog.at_level(logging.WARNING, logger="bot.i18n.catalogs"):
        assert tr.format("Broken on purpose {name}", name="Lina") == f"Broken on purpose {FSI}Lina{PDI}"
    assert any("broken translation" in r.getMessage() for r in caplog.records)
    assert not any("Lina" in r.getMessage() for r in caplog.records)
    # even a broken source never raises
    assert tr.format("Missing {value}") == "Missing {value}"


def test_commands_and_phone_numbers_in_rtl_text_are_isolated(locales: Path) -> None:
    catalogs = load(locales)
    assert catalogs.translator("ar").gettext("Write /menu or see https://x.se/a") == (
        f"Write {FSI}/menu{PDI} or see https://x.se/a"
    )
    assert catalogs.translator("ar").gettext("Call 116 111 at 13, or 08-123 45.") == (
        f"Call {FSI}116 111{PDI} at 13, or {FSI}08-123 45{PDI}."
    )
    assert catalogs.translator("sv").gettext("Write /menu") == "Write /menu"


def test_show_fuzzy_decides(locales: Path) -> None:
    assert load(locales, show_fuzzy=True).translator("ar").gettext("Unreviewed") == "غير مراجع"
    assert load(locales, show_fuzzy=False).translator("ar").gettext("Unreviewed") == "Unreviewed"


def test_reload_reads_changed_catalogs(locales: Path) -> None:
    catalogs = load(locales)
    tr = catalogs.translator("uk")
    assert tr.gettext("Hello!", "intro/hello") == "Hej!"
    write_catalog(locales, "uk", [("intro/hello", "Hello!", "Привіт!")])
    catalogs.reload()
    assert catalogs.translator("uk").gettext("Hello!", "intro/hello") == "Привіт!"


def test_numbers_and_dates_follow_the_locale(locales: Path) -> None:
    catalogs = load(locales)
    assert catalogs.translator("sv").format_number(1234.5) == "1\xa0234,5"
    assert catalogs.translator("en").format_number(1234.5) == "1,234.5"
    assert catalogs.translator("sv").format_date(dt.date(2025, 3, 7)) == "7 mars 2025"
    assert catalogs.translator("uk").format_date(dt.date(2025, 3, 7)) == "7 березня 2025\u202fр."


def test_direction_comes_from_cldr(locales: Path) -> None:
    catalogs = load(locales, languages=LANGUAGES)
    rtl = {lang for lang in LANGUAGES if catalogs.translator(lang).is_rtl}
    assert rtl == {"ar", "fa_AF", "ps"}


def test_bidi_isolate() -> None:
    assert bidi_isolate("Lina") == f"{FSI}Lina{PDI}"
    assert bidi_isolate(bidi_isolate("Lina")) == f"{FSI}Lina{PDI}"
    assert bidi_isolate("") == ""


def test_language_choices_in_their_own_script() -> None:
    choices = dict(language_choices(Settings(_env_file=None)))
    assert list(choices) == LANGUAGES
    assert choices == {
        "sv": "Svenska",
        "en": "English",
        "ar": "العربية",
        "fa_AF": "دری",
        "ps": "پښتو",
        "so": "Soomaali",
        "ti": "ትግርኛ",
        "uk": "Українська",
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("sv", "sv"),
        ("sv-SE", "sv"),
        ("SV-se", "sv"),
        ("en-GB", "en"),
        ("fa", "fa_AF"),
        ("fa-IR", "fa_AF"),
        ("fa-AF", "fa_AF"),
        ("prs", "fa_AF"),
        ("ps", "ps"),
        ("pbt", "ps"),
        ("ar-SY", "ar"),
        ("uk", "uk"),
        ("ti-ER", "ti"),
        ("so", "so"),
        ("ru", None),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_negotiate(code: str | None, expected: str | None) -> None:
    assert negotiate(code, Settings(_env_file=None)) == expected


def test_a_ninth_language_needs_only_a_catalog_and_settings(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(SHIPPED_LOCALES, locales)
    write_catalog(
        locales,
        "de",
        [
            ("intro/hello", "Hello!", "Hallo!"),
            (None, GREETING, "Hallo {name}, du bist {age} Jahre alt."),
        ],
    )
    settings = Settings(_env_file=None, locales_dir=locales, languages=[*LANGUAGES, "de"])
    catalogs = get_catalogs(settings)
    assert catalogs is get_catalogs(settings)
    tr = catalogs.translator("de")
    assert tr.lang == "de"
    assert tr.gettext("Hello!", "intro/hello") == "Hallo!"
    assert tr.format(GREETING, name="Lina", age=16) == "Hallo Lina, du bist 16 Jahre alt."
    assert ("de", "Deutsch") in language_choices(settings)
    assert negotiate("de-AT", settings) == "de"
