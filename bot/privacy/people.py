"""Names of people — the writer's and everyone else's — found two ways:

- from the name lexicon (`names_lexicon`): a given name, a compound (عبد الله,
  شفیع‌الله), a given name with a family name after it, a possessive ("Abdis"), a
  Ukrainian case form ("Андрієм"), a name with an Arabic-script or Ge'ez clitic
  ("وحمزة", "ክብሮምን"); names that are also common words only in a name context;
- from the words around a name (`relations`): a relation word or title before it,
  "his name is …", "I am …", "… here", "… هستم", "… እየ", a sign-off. In scripts with
  capitals a capitalised word there is a name even if the lexicon lacks it.

Everything is precompiled at import; a call tokenises once and looks words up in sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import relations as rel
from .lexicon import GREETING_SELF, GREETINGS, STOPWORDS
from .names_lexicon import ZWNJ, key, lexicon
from .open_context import (
    FROM,
    HERE,
    follows_name,
    OPEN_FILLERS,
    WITH,
    OPEN_SELF,
    SELF_ARABIC,
    SELF_PRONOUNS,
    open_name,
    open_relation,
    open_somali_relation,
)
from .span import NAME, Span
from .textfold import Folded, fold_str

_LEX = lexicon()
MAX_WORDS = 3

# Words that never are (part of) a name, folded.
_EXTRA_STOP = (
    "som",
    "att",
    "sa",
    "säger",
    "har",
    "hade",
    "var",
    "blir",
    "ska",
    "kan",
    "vill",
    "hon",
    "han",
    "hen",
    "de",
    "dem",
    "oss",
    "er",
    "sig",
    "mig",
    "dig",
    "också",
    "igen",
    "idag",
    "igår",
    "i går",
    "who",
    "that",
    "said",
    "says",
    "is",
    "are",
    "was",
    "were",
    "has",
    "had",
    "will",
    "can",
    "from",
    "about",
    "for",
    "of",
    "and",
    "our",
    "your",
    "his",
    "her",
    "their",
    "again",
    "today",
    "here",
    "there",
    "this",
    "that",
    "what",
    "when",
    "where",
    "how",
    "why",
    "yes",
    "no",
    "not",
    "هل",
    "لا",
    "نعم",
    "ما",
    "ماذا",
    "هذا",
    "هذه",
    "ذلك",
    "التي",
    "الذي",
    "كان",
    "كانت",
    "قال",
    "قالت",
    "يريد",
    "تريد",
    "الان",
    "اليوم",
    "امس",
    "لكم",
    "لك",
    "لي",
    "لنا",
    "عن",
    "ايضا",
    "جدا",
    "كثيرا",
    "هنا",
    "هناك",
    "بعد",
    "قبل",
    "كل",
    "فقط",
    "این",
    "آن",
    "اين",
    "ان",
    "گفت",
    "گفته",
    "میگوید",
    "هم",
    "نیز",
    "خیلی",
    "بسیار",
    "اینجا",
    "آنجا",
    "حالا",
    "امروز",
    "دیروز",
    "فردا",
    "ما",
    "شما",
    "آنها",
    "او",
    "وی",
    "ولی",
    "اما",
    "چې",
    "دا",
    "هغه",
    "هغې",
    "موږ",
    "تاسو",
    "دوی",
    "وویل",
    "ویل",
    "نن",
    "پرون",
    "سبا",
    "ډېر",
    "isna",
    "iyana",
    "waxa",
    "wuxuu",
    "waxay",
    "ayuu",
    "ayay",
    "ayaa",
    "maanta",
    "shalay",
    "berri",
    "halkan",
    "halkaas",
    "ma",
    "haa",
    "maya",
    "እዚ",
    "እዛ",
    "እቲ",
    "እታ",
    "ንሱ",
    "ንሳ",
    "ንሕና",
    "ሎሚ",
    "ትማሊ",
    "ጽባሕ",
    "ኣሎ",
    "ኣላ",
    "ኣለዉ",
    "він",
    "вона",
    "вони",
    "ми",
    "ви",
    "це",
    "той",
    "та",
    "сказав",
    "сказала",
    "теж",
    "ще",
    "вже",
    "тут",
    "там",
    "сьогодні",
    "вчора",
    "завтра",
    "дуже",
    "так",
    "ні",
    "не",
    "salam",
    "salaam",
    "man",
    "ma",
    "zama",
    "zma",
    "ze",
    "za",
    "mn",
    "men",
    "az",
    "ba",
    "dy",
    "selam",
    "salaan",
    "hej",
    "aniga",
    "anigu",
    "adiga",
    "isaga",
    "iyada",
    # God's name in everyday phrases, not in a name ("-ullah")
    "inshallah",
    "inshaallah",
    "insha'allah",
    "inshalla",
    "mashallah",
    "mashaallah",
    "wallah",
    "wallahi",
    "yallah",
    "alhamdulillah",
    "alhamdulilah",
    "bismillah",
    "subhanallah",
    "astaghfirullah",
    "alhamdulillaah",
    "inshaallaah",
)
_STOP = frozenset(key(w) for w in (*STOPWORDS, *GREETINGS, *GREETING_SELF, *_EXTRA_STOP))
_NOT_NAMES = frozenset(key(w) for w in rel.NOT_NAMES)
_FILLERS = frozenset(key(w) for w in rel.FILLERS)
_AND = frozenset(key(w) for w in rel.AND)

# Token: a run of letters (joiners, apostrophes and hyphens inside), starting with a letter.
_TOKEN = re.compile(r"[^\W\d_](?:[\w\u200c'’ʼ-]*[^\W_])?")
_GAP_FORWARD = re.compile(r"[\s,:;—–\-\"'“”«»()፡]*")  # between a context phrase and the name
_SOFT_GAP = re.compile(r"[\s\u200c]+")  # between the words of one name
_ENDS_CLAUSE = re.compile(r"[,،:፡\n]")

_CYRILLIC_SURNAME = re.compile(r"(?:енко|чук|юк|ович|евич|івна|ївна|овна)$")
_LATIN_SURNAME = re.compile(r"(?:sson|ström|strom|qvist|kvist|gren|blad|enko|chuk|yuk|iuk|zai|zay|zoy)$")
_ULLAH = re.compile(r"(?:ullah|ollah|allah|ulla)$")
_ARABIC_CLITIC = ("و", "ب", "ل")
_ETHIOPIC_SUFFIXES = ("ውን", "ን", "ዶ")
_PERSIAN_SUFFIXES = frozenset(key(w) for w in ("ام", "ای", "است", "اند", "ها", "های", "را", "یم", "مان", "ش"))

# how much a context says: the name follows / an unknown word there is a name unless it is
# an ordinary word (open_context) / probably / if known
STRONG, OPEN, WEAK, LEXICAL = 4, 3, 2, 1


def _pattern(patterns: tuple[str, ...]) -> str:
    return "|".join(f"(?:{fold_str(p)})" for p in patterns)


def _literal(phrases: tuple[str, ...]) -> str:
    folded = sorted({fold_str(p) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in folded)


_RELATIONS = _pattern(tuple(p for ps in rel.RELATIONS.values() for p in ps))
_RELATION_WORD = re.compile(_RELATIONS)
_CONTEXT = re.compile(
    rf"(?<![\w/])(?:(?P<naming>{_pattern(rel.NAMING)})|(?P<sign>{_pattern(rel.SIGN_OFFS)})"
    rf"|(?P<title>{_pattern(rel.TITLES)})|(?P<self>{_pattern(rel.SELF_BEFORE_NAME)})"
    rf"|(?P<this>{_pattern(rel.THIS_IS)})|(?P<rel>{_RELATIONS})"
    rf"|(?P<before>{_pattern(rel.NAME_BEFORE)})|(?P<namedbefore>{_pattern(rel.NAMED_BEFORE)}))(?![\w])"
)
_FORWARD_MODE = {"naming": STRONG, "title": STRONG, "sign": WEAK, "self": WEAK, "rel": WEAK, "this": LEXICAL}
_BACKWARD_MODE = {"before": WEAK, "namedbefore": STRONG}


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str
    upper: bool  # starts with a capital (scripts with case only)
    cased: bool


GIVEN, SURNAME, COMMON, NAMED_ONLY = "given", "surname", "common", "named"


@lru_cache(maxsize=32768)
def _kind(k: str, upper: bool, cased: bool, raw: str) -> str | None:
    """What the lexicon says a word is: a name (given/surname), a name that is also a
    common word (common/named), or nothing."""
    if k == "علي" and raw[-1] in "\u0649\u064a":
        # «على» (on) folds to «علي»; Arabic «علي» is also «عليّ» (on me). Persian «علی» is Ali.
        return None if raw[-1] == "\u0649" else COMMON
    if k in _LEX.named:
        return NAMED_ONLY
    if k in _LEX.context:
        return COMMON
    if k in _LEX.given:
        return GIVEN
    if k in _LEX.surnames:
        return SURNAME if upper or not cased else None
    if cased:
        if upper:
            for cut in ("'s", "s", "'"):
                if k.endswith(cut) and len(k) - len(cut) >= 2 and k[: -len(cut)] in _LEX.given:
                    stem = k[: -len(cut)]
                    return None if _LEX.common(stem) else GIVEN
            if len(k) >= 6 and (_LATIN_SURNAME.search(k) or _CYRILLIC_SURNAME.search(k)):
                return SURNAME
        if _ULLAH.search(k) and len(k) >= 7:
            return GIVEN
        return None
    if len(k) >= 4 and k.endswith("الله") and k[:-4] in _LEX.given:
        return GIVEN
    if len(k) >= 6 and k.startswith("عبدال"):
        return GIVEN
    if len(k) >= 4 and k[0] in _ARABIC_CLITIC and k[1:] in _LEX.given and not _LEX.common(k[1:]):
        return GIVEN
    if ZWNJ in raw:
        parts = [key(p) for p in raw.split(ZWNJ)]
        for n in range(len(parts) - 1, 0, -1):
            stem = "".join(parts[:n])
            if all(p in _PERSIAN_SUFFIXES for p in parts[n:]) and stem in _LEX.given:
                return None if _LEX.common(stem) else GIVEN
    for suffix in _ETHIOPIC_SUFFIXES:
        if k.endswith(suffix) and k[: -len(suffix)] in _LEX.given:
            return GIVEN if not _LEX.common(k[: -len(suffix)]) else COMMON
    return None


def _tokens(text: str) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        first = word[0]
        cased = first.isupper() or first.islower()
        out.append(Token(m.start(), m.end(), word, key(word), first.isupper(), cased))
    return out


def _kind_of(tok: Token) -> str | None:
    return _kind(tok.key, tok.upper, tok.cased, tok.text)


def _surname_after(tok: Token) -> bool:
    """A word after a given name that is its family name (or a second given name)."""
    if tok.key in _STOP or (tok.key in _NOT_NAMES and tok.key not in _LEX.surnames):
        return False
    if _clitic(tok):
        return False  # «وحمزة»: "and Hamza" begins a name of its own
    kind = _kind_of(tok)
    if kind in (GIVEN, SURNAME):
        return not tok.cased or tok.upper or kind == GIVEN
    if tok.cased:
        return tok.upper and kind != NAMED_ONLY
    k = tok.key
    if kind == COMMON or k in _LEX.surnames:
        return True
    if len(k) >= 4 and k[-1] == "ي" and k[:-1] in _LEX.given:
        return True  # احمدی, کریمی
    return len(k) >= 5 and k.startswith("ال") and k[2:] in _LEX.given  # الأحمد


def _start(tok: Token) -> int:
    """Where the name in `tok` begins: after a clitic «و», «ب», «ل» it does not own."""
    return tok.start + 1 if _clitic(tok) else tok.start


def _clitic(tok: Token) -> bool:
    k = tok.key
    return (
        not tok.cased
        and len(k) >= 4
        and k[0] in _ARABIC_CLITIC
        and k not in _LEX.given
        and not _LEX.common(k)
        and (k[1:] in _LEX.given or k[1:].startswith("عبد"))
    )


def _and_relation(k: str) -> bool:
    """«وصديقي», «واخوي»: "and my friend", the next relation, not a name."""
    return k.startswith("و") and _RELATION_WORD.fullmatch(k[1:]) is not None


def _accepts(tok: Token, mode: int) -> bool:
    """Is `tok` a name where a context of strength `mode` stands before or after it?"""
    if tok.key in _STOP or tok.key in _NOT_NAMES or tok.key in _FILLERS:
        return False
    kind = _kind_of(tok)
    if mode == STRONG:
        return True
    if mode == OPEN and kind is None and (not tok.cased or tok.text.islower()):
        return open_name(tok.key) and _RELATION_WORD.fullmatch(tok.key) is None and not _and_relation(tok.key)
    if mode in (WEAK, OPEN):
        return kind in (GIVEN, SURNAME, COMMON) or (tok.cased and tok.upper and kind != NAMED_ONLY)
    if mode == LEXICAL:
        return kind in (GIVEN, SURNAME)
    if kind == GIVEN:
        return True
    return kind == SURNAME and tok.cased and tok.upper


def _compound(tokens: list[Token], i: int, text: str) -> int:
    """How many tokens from i form a compound name (عبد الله, نور الدين), 0 if none."""
    joined = tokens[i].key
    if not tokens[i].cased and len(joined) > 3 and joined[0] == "و":
        joined = joined[1:]  # «وعبد الله»: "and Abdullah"
    for j in range(i + 1, min(i + 3, len(tokens))):
        if not _SOFT_GAP.fullmatch(text, tokens[j - 1].end, tokens[j].start):
            break
        joined += tokens[j].key
        if joined in _LEX.given and not _LEX.common(joined):
            return j - i + 1
        if joined == "عبد" + tokens[j].key and tokens[j].key.startswith("ال") and j == i + 1:
            return 2
    return 0


class _Marks:
    """The strongest context mode for each token index."""

    def __init__(self, n: int) -> None:
        self.mode = [0] * n
        self.rest_of_message: set[int] = set()

    def set(self, i: int, mode: int) -> None:
        if 0 <= i < len(self.mode) and mode > self.mode[i]:
            self.mode[i] = mode


def _first_at(tokens: list[Token], pos: int) -> int:
    lo, hi = 0, len(tokens)
    while lo < hi:
        mid = (lo + hi) // 2
        if tokens[mid].start < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _from_follows(text: str, folded: Folded, end: int) -> bool:
    """After a "… هستم" cue: the end, punctuation, or "from" («X هستم از هرات»)."""
    rest = folded.text[end:].lstrip()
    if not rest or not (rest[0].isalpha()):
        return True
    word = re.match(r"[^\W\d_]+", rest)
    return word is not None and word.group() in FROM


def _with_unknown(tokens: list[Token], i: int) -> bool:
    """«با X و [name]», «مع X و [name]», «ምስ X ን …»: X, unknown and without capitals,
    goes with a name after "with"."""
    tok = tokens[i]
    return (
        i >= 1
        and tokens[i - 1].key in WITH
        and (not tok.cased or tok.text.islower())
        and _kind_of(tok) is None
        and open_name(tok.key)
        and _RELATION_WORD.fullmatch(tok.key) is None
        and tok.key not in _STOP
    )


def _with_pairs(text: str, tokens: list[Token]) -> list[Span]:
    """«مع X وY»: after "with", an unknown X joined by a clitic «و» to a name Y, even one
    that is also a word («وحسن»): both are names."""
    spans = []
    for i in range(1, len(tokens) - 1):
        x, y = tokens[i], tokens[i + 1]
        if (
            _with_unknown(tokens, i)
            and not y.cased
            and y.key.startswith("و")
            and _kind(y.key[1:], False, False, y.text[1:]) is not None
            and _SOFT_GAP.fullmatch(text, x.end, y.start)
        ):
            spans += [Span(x.start, x.end, NAME), Span(y.start + 1, y.end, NAME)]
    return spans


def _name_ends(text: str, tokens: list[Token], i: int) -> bool:
    """After token i: the end, punctuation, or a word that follows a name (`follows_name`)."""
    if i + 1 >= len(tokens):
        return True
    gap = text[tokens[i].end : tokens[i + 1].start]
    return bool(re.search(r"[^\s\u200c]", gap)) or follows_name(tokens[i + 1].key)


def _clause_follows(text: str, tokens: list[Token], i: int) -> bool:
    """After token i: the end, a comma, or a word with «و» (a new clause: «وعمري»)."""
    if i + 1 >= len(tokens):
        return not re.search(r"[^\W\d_]", text[tokens[i].end :])
    gap = text[tokens[i].end : tokens[i + 1].start]
    nxt = tokens[i + 1].key
    return bool(_ENDS_CLAUSE.search(gap)) or (gap.isspace() and (nxt.startswith("و") or nxt in FROM))


def _mark_contexts(text: str, folded: Folded, tokens: list[Token]) -> _Marks:
    marks = _Marks(len(tokens))
    if not tokens:
        return marks
    for m in _CONTEXT.finditer(folded.text):
        kind = m.lastgroup
        if kind is None:  # never: each alternative of _CONTEXT is a named group
            continue
        start = folded.origin[m.start()]
        end = folded.origin[m.end() - 1] + 1
        if kind in _BACKWARD_MODE:
            if text[start:end].casefold() == "har":
                continue  # Swedish "har" (has) folds like "här" (here)
            i = _first_at(tokens, start) - 1
            if i >= 0 and text[tokens[i].end : start].isspace():
                mode = _BACKWARD_MODE[kind]
                cue = folded.text[m.start() : m.end()]
                if (i == 0 and (cue in HERE or _from_follows(text, folded, m.end()))) or (
                    i >= 1
                    and tokens[i - 1].key in SELF_PRONOUNS
                    and text[tokens[i - 1].end : tokens[i].start].isspace()
                ):
                    mode = max(mode, OPEN)  # «من X هستم», «زه X یم», «ኣነ X እየ», "man X hastam", «X هون»
                marks.set(i, mode)
            continue
        i = _first_at(tokens, end)
        skipped = 0
        while i < len(tokens) and tokens[i].key in _FILLERS and skipped < 2:
            i, skipped = i + 1, skipped + 1
        if i >= len(tokens):
            continue
        gap = text[end : tokens[i].start] if not skipped else text[tokens[i - 1].end : tokens[i].start]
        if not _GAP_FORWARD.fullmatch(gap):
            continue
        mode = _FORWARD_MODE[kind]
        if kind == "rel" and all(t.key in OPEN_FILLERS for t in tokens[i - skipped : i]):
            context = folded.text[m.start() : m.end()]
            tok = tokens[i]
            if (open_relation(context) if not tok.cased else open_somali_relation(context)) and _name_ends(
                text, tokens, i
            ):
                mode = OPEN
        elif (
            kind == "sign"
            and not tokens[i].cased
            and len(tokens) - i <= 2
            and not re.search(r"[^\W\d_]", text[tokens[-1].end :])
        ):
            mode = OPEN  # «مننه X», «شكرا كتير X», «مرسی X جان»: an unknown last word signs
        elif kind == "self" and folded.text[m.start() : m.end()] in OPEN_SELF:
            mode = OPEN
        elif kind == "self" and folded.text[m.start() : m.end()] in SELF_ARABIC and _clause_follows(text, tokens, i):
            mode = OPEN
        marks.set(i, mode)
        if (
            kind == "sign"
            and _ENDS_CLAUSE.search(gap)
            and len(tokens) - i <= 2
            and not re.search(r"[^\W\d_]", text[tokens[-1].end :])
        ):
            marks.rest_of_message.update(range(i, len(tokens)))
    return marks


# Parts of a compound name that are no name on their own.
_NEVER_ALONE = frozenset(
    key(w)
    for w in (
        "الله",
        "عبد",
        "ابو",
        "أبو",
        "ام",
        "بن",
        "بنت",
        "abu",
        "abd",
        "bin",
        "ibn",
        "al",
        "el",
        "bibi",
        "بی",
        "بي",
        "gul",
        "گل",
    )
)


def name_words(text: str, spans: list[Span]) -> list[str]:
    """The words of the found names that are names on their own (for other mentions)."""
    words = []
    for span in spans:
        for tok in _tokens(text[span.start : span.end]):
            if tok.key not in _NEVER_ALONE and tok.key not in _STOP and len(tok.key) >= 2:
                words.append(tok.text[1:] if _start(tok) > tok.start else tok.text)
    return words


def find_people(text: str, folded: Folded) -> list[Span]:
    tokens = _tokens(text)
    if not tokens:
        return []
    marks = _mark_contexts(text, folded, tokens)
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        n = _compound(tokens, i, text)
        mode = STRONG if i in marks.rest_of_message else marks.mode[i]
        if not n:
            if _accepts(tok, mode):
                n = 1
            elif (
                mode == 0
                and _kind_of(tok) == COMMON
                and i + 1 < len(tokens)
                and (not tok.cased or tok.upper)
                and _SOFT_GAP.fullmatch(text, tok.end, tokens[i + 1].start)
                and _kind_of(tokens[i + 1]) == SURNAME
            ):
                n = 1  # "Per Andersson": a common-word name with a family name after it
        if not n:
            i += 1
            continue
        j = i + n
        strong = mode == STRONG
        while j < len(tokens) and j - i < MAX_WORDS and _SOFT_GAP.fullmatch(text, tokens[j - 1].end, tokens[j].start):
            nxt = tokens[j]
            if strong and not tok.cased and nxt.key not in _STOP and not nxt.key.startswith("و"):
                j += 1
            elif _surname_after(nxt) and not (tok.upper and nxt.cased and not nxt.upper):
                j += 1
            else:
                break
        if (
            i >= 2
            and tokens[i - 1].key in _AND
            and (_kind_of(tokens[i - 2]) in (GIVEN, SURNAME, COMMON) or _with_unknown(tokens, i - 2))
            and (not spans or spans[-1].end <= tokens[i - 2].start)
        ):
            spans.append(Span(_start(tokens[i - 2]), tokens[i - 2].end, NAME))
        spans.append(Span(_start(tok), tokens[j - 1].end, NAME))
        # "Dawit och Senait", "عبدالله و حمزة": a name joined to this one by "and"
        if j + 1 < len(tokens) and tokens[j].key in _AND:
            marks.set(j + 1, WEAK)
        i = j
    return spans + _with_pairs(text, tokens)
