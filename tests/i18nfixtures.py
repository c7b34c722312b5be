"""Catalogs for the translation tests: copies of the shipped ones in a tmp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.i18n.catalogs import po_path
from bot.i18n.cli import read_catalog, write_catalog

SHIPPED_LOCALES = Path(__file__).resolve().parent.parent / "locales"


def draft_locales(folder: Path, languages: tuple[str, ...] = ("sv", "ar", "ps", "so", "ti")) -> Path:
    """The shipped catalogs copied into `folder`, every text of `languages` a draft (as
    shipped before anyone reviewed them: reviews made since must not change the tests)."""
    shutil.copytree(SHIPPED_LOCALES, folder)
    for lang in languages:
        catalog = read_catalog(po_path(folder, lang), lang)
        for message in catalog:
            if message.id:
                message.flags.add("fuzzy")
        write_catalog(po_path(folder, lang), catalog)
    return folder
