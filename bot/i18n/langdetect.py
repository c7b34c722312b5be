"""Offline guess of the language of a free-text answer (e.g. to offer switching language).

Script rules first, because the statistical detector (lingua) lacks two of our
languages and confuses two others:
- Ethiopic script -> Tigrinya;
- Arabic script -> Pashto if it has Pashto-only letters, Dari if it has Persian
  letters (پ چ ژ گ ی ک) rather than Arabic ones (ي ك), otherwise Arabic;
- Latin and Cyrillic script -> lingua, restricted to the configured languages it
  knows (plus Russian as a decoy, so Russian text is not called Ukrainian).
The lingua detector is built lazily, once per set of languages, in low-accuracy
mode, and lingua loads models only for the languages written in the text's script:
it adds about 10 MB of memory instead of 100–150 MB.
Returns None for short or unclear text.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from bot.base.settings import LANGUAGES

PASHTO_LETTERS = set("ټډړږښګڼۍېځڅ")
PERSIAN_LETTERS = set("پچژگیک")
ARABIC_LETTERS = set("يكة")  # Arabic keyboards' yeh, kaf and teh marbuta
DECOYS = ("ru",)  # detected only so that they are not mistaken for one of ours

MIN_LETTERS = {"ETHIOPIC": 3, "ARABIC": 4}
MIN_LETTERS_DEFAULT = 8
MIN_RELATIVE_DISTANCE = 0.1


def _base(code: str) -> str:
    return code.split("_")[0].lower()


def _configured(base: str, languages: Iterable[str]) -> str | None:
    """The configured code for a bare language ("fa" -> "fa_AF"), if any."""
    return next((code for code in languages if _base(code) == base), None)


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def _arabic_script_language(letters: list[str]) -> str | None:
    chars = Counter(letters)
    if any(chars[c] for c in PASHTO_LETTERS):
        return "ps"
    persian = sum(chars[c] for c in PERSIAN_LETTERS)
    arabic = sum(chars[c] for c in ARABIC_LETTERS)
    if persian > arabic:
        return "fa"
    if arabic > persian:
        return "ar"
    return None


@lru_cache(maxsize=4)
def _detector(bases: tuple[str, ...]):  # -> lingua.LanguageDetector | None
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = []
    for base in bases:
        try:
            known.append(Language.from_iso_code_639_1(IsoCode639_1.from_str(base)))
        except (ValueError, AttributeError):
            continue  # lingua lacks it (Pashto, Tigrinya): script rules cover those
    if len(known) < 2:
        return None
    return (
        LanguageDetectorBuilder.from_languages(*known)
        .with_low_accuracy_mode()
        .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
        .build()
    )


def _lingua(text: str, languages: tuple[str, ...]) -> str | None:
    bases = tuple(sorted({_base(c) for c in languages} | set(DECOYS)))
    detector = _detector(bases)
    found = detector.detect_language_of(text) if detector else None
    return found.iso_code_639_1.name.lower() if found else None


def detect_language(text: str, languages: Iterable[str] | None = None) -> str | None:
    """The configured language code `text` is most likely written in, or None."""
    langs = tuple(languages or LANGUAGES)
    letters = [ch for ch in text if ch.isalpha()]
    scripts = Counter(_script_of(ch) for ch in letters)
    if not scripts:
        return None
    script, count = scripts.most_common(1)[0]
    if count < MIN_LETTERS.get(script, MIN_LETTERS_DEFAULT):
        return None
    base: str | None
    if script == "ETHIOPIC":
        base = "ti"
    elif script == "ARABIC":
        base = _arabic_script_language([ch for ch in letters if _script_of(ch) == "ARABIC"])
        base = base or _lingua(text, langs)
    elif script in ("LATIN", "CYRILLIC"):
        base = _lingua(text, langs)
    else:
        return None
    return _configured(base, langs) if base else None
