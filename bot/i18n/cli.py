"""Catalog upkeep: `python -m bot i18n extract|update|compile|status`.

- extract: bot strings (N_) and flow texts -> locales/messages.pot, by Babel's own
  extract command (`pybabel extract -F babel.cfg -o locales/messages.pot .`);
  `extract_template` gives the same template in memory
- update:  messages.pot -> every configured language's messages.po (creates missing
  catalogs; English, the source language, is filled with msgstr = msgid). Our own:
  Babel's update knows neither our Plural-Forms (catalogs.plural_forms_header) nor
  the source language's filling
- compile: .po -> .mo, by Babel's own compile command (optional: the bot reads the
  .po files directly)
- status:  per language, reviewed / draft (fuzzy) / missing counts ("done" counts
  reviewed texts only, bot/i18n/review.py), the safety-critical texts not yet
  reviewed (listed first), and placeholder problems
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TextIO

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import CompileCatalog, ExtractMessages, parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import DOMAIN, SOURCE_LANGUAGE, display_name, plural_forms_header, po_path
from bot.i18n.checks import msgstr_forms, placeholder_problems
from bot.i18n.review import LanguageStatus, catalog_status

__all__ = ["catalog_status", "placeholder_problems"]  # also used from here by the tests and doctor

PROJECT = "Sammanbot"
COMMENT_TAGS = ("TRANSLATORS:",)
WIDTH = 100  # of the lines in .pot and .po files
HEADER = """\
# {what} of Sammanbot's messages: the bot's own strings and the flows' texts.
# msgctxt "<flow>/<step>[/<choice>]" says where a flow text is shown.
# Keep {{placeholders}} as they are. See docs/TRANSLATING.md.
#"""


def _version() -> str:
    try:
        return metadata.version("sammanbot")
    except metadata.PackageNotFoundError:
        return "dev"


def template_path(locales_dir: str | Path) -> Path:
    return Path(locales_dir) / f"{DOMAIN}.pot"


def extract_template(root: str | Path = ".", mapping_file: str | Path = "babel.cfg") -> Catalog:
    """Run Babel's extraction over `root` with the mapping file, as pybabel does."""
    root = Path(root)
    mapping = Path(mapping_file)
    if not mapping.is_absolute():
        mapping = root / mapping
    with mapping.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(mapping))
    catalog = Catalog(
        project=PROJECT,
        version=_version(),
        domain=DOMAIN,
        charset="utf-8",
        header_comment=HEADER.format(what="Template"),
    )
    found = extract_from_dir(
        root, method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(Path(filename).as_posix(), lineno)], auto_comments=comments, context=context)
    return catalog


def extract_to(pot: Path) -> None:
    """Babel's own extract command over the working directory, as `pybabel extract` with
    our options. It writes as it goes: a flow that cannot be read must not leave the
    template half written, so it writes beside it first."""
    pot.parent.mkdir(parents=True, exist_ok=True)
    partial = pot.with_name(pot.name + ".partial")
    extract = ExtractMessages()
    extract.input_paths, extract.output_file, extract.mapping_file = ".", str(partial), "babel.cfg"
    extract.add_comments, extract.strip_comments = ",".join(COMMENT_TAGS), True
    extract.project, extract.version, extract.width = PROJECT, _version(), WIDTH
    extract.header_comment = HEADER.format(what="Template")
    extract.finalize_options()
    try:
        extract.run()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(pot)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def write_catalog(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=WIDTH, include_previous=True)


def _fill_source_language(catalog: Catalog) -> None:
    """English is the source: each msgstr is its msgid (editable; refreshed when changed)."""
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not any(msgstr_forms(message)):
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            message.flags.discard("fuzzy")
            message.previous_id = []


def update_catalog(template: Catalog, path: Path, lang: str) -> Catalog:
    """Merge the template into one language's catalog (created when missing)."""
    if path.exists():
        catalog = read_catalog(path, lang)
    else:
        name = Locale.parse(lang).english_name
        catalog = Catalog(
            locale=lang,
            domain=DOMAIN,
            project=PROJECT,
            charset="utf-8",
            header_comment=HEADER.format(what=f"{name} translations"),
            language_team=f"{name} <translators of {PROJECT}>",
        )
        catalog.fuzzy = False
    catalog.mime_headers = [("Plural-Forms", plural_forms_header(lang))]
    # Catalog.update adopts the template's new Message objects: give it its own copies
    catalog.update(copy.deepcopy(template))
    if lang == SOURCE_LANGUAGE:
        _fill_source_language(catalog)
    return catalog


def print_status(statuses: Iterable[LanguageStatus], names: dict[str, str], out: TextIO) -> None:
    statuses = list(statuses)
    out.write(f"{'language':<10}{'reviewed':>9}{'draft':>7}{'missing':>9}{'done':>6}{'critical':>10}  name\n")
    problems: list[str] = []
    for s in statuses:
        name = display_name(s.lang, names)
        critical = f"{s.critical_reviewed}/{s.critical_total}"
        out.write(f"{s.lang:<10}{s.reviewed:>9}{s.draft:>7}{s.missing:>9}{s.percent:>5}%{critical:>10}  {name}\n")
        problems += [f"{s.lang}: {p}" for p in s.problems]
    out.write('\n"done" counts reviewed texts only; a draft (fuzzy) is shown to youth but nobody has checked it.\n')
    unreviewed: dict[tuple[str | None, str], list[str]] = {}
    for s in statuses:
        for t in s.critical_unreviewed:
            unreviewed.setdefault(t.key, []).append(s.lang)
    if unreviewed:
        out.write(f"\n{len(unreviewed)} safety-critical text(s) not reviewed in every language:\n")
        for (context, msgid), langs in unreviewed.items():
            short = msgid if len(msgid) <= 50 else msgid[:49] + "…"
            out.write(f"  {context or '-'}: {short!r}  ({' '.join(langs)})\n")
    if problems:
        out.write(f"\n{len(problems)} placeholder problem(s):\n")
        out.writelines(p + "\n" for p in problems)


def i18n_command(action: str, out: TextIO = sys.stdout) -> int:
    from bot.base.settings import get_settings

    settings = get_settings()
    locales = Path(settings.locales_dir)
    languages = list(dict.fromkeys([*settings.languages, settings.default_language]))
    pot = template_path(locales)

    if action == "extract":
        try:
            extract_to(pot)
        except ValueError as exc:  # a flow that cannot be read (bot.cli.i18n_extract): file:line:col
            out.write(f"{exc}\n{pot} is unchanged\n")
            return 1
        out.write(f"{pot}: {sum(1 for m in read_catalog(pot) if m.id)} texts\n")
        return 0

    if not pot.exists():
        out.write(f"{pot} not found: run `python -m bot i18n extract` first\n")
        return 1
    template = read_catalog(pot)

    if action == "update":
        for lang in languages:
            path = po_path(locales, lang)
            write_catalog(path, update_catalog(template, path, lang))
            out.write(f"{path} updated\n")
        return 0
    if action == "compile":
        for lang in languages:
            path = po_path(locales, lang)
            if not path.exists():
                out.write(f"{path} not found, skipped\n")
                continue
            compile_ = CompileCatalog()
            compile_.directory, compile_.domain, compile_.locale = str(locales), DOMAIN, lang
            compile_.use_fuzzy = settings.show_fuzzy
            compile_.finalize_options()
            compile_.run()
            out.write(f"{path.with_suffix('.mo')} written\n")
        return 0
    if action == "status":
        statuses = []
        for lang in languages:
            path = po_path(locales, lang)
            statuses.append(catalog_status(template, read_catalog(path, lang) if path.exists() else None, lang))
        print_status(statuses, settings.language_names, out)
        return 0
    out.write(f"unknown action {action!r}\n")
    return 2
