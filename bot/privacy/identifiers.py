"""Identifiers with a recognisable shape: e-mail, links, @usernames, Swedish
personnummer / samordningsnummer, Migrationsverket dossier and LMA numbers, IBAN,
card numbers, IP addresses, street addresses and postal codes.

Every finder takes the text with ASCII digits (see `textfold.DIGITS`, which keeps
offsets) and yields `Span`s. Quantifiers are bounded so no pattern can backtrack
catastrophically on long input.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

import phonenumbers

from .checksums import iban_ok, luhn_ok
from .span import ADDRESS, CARD, EMAIL, IBAN, ID_NUMBER, IP, LINK, POSTCODE, USERNAME, Span

# --- e-mail, links, usernames -------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[^\W\d_]{2,24}(?!\w)")

_SOCIAL = (
    r"t\.me|telegram\.(?:me|dog)|wa\.me|vk\.com|x\.com|twitter\.com|threads\.net"
    r"|(?:www\.|m\.|web\.)?(?:instagram\.com|instagr\.am|facebook\.com|fb\.com|fb\.me"
    r"|tiktok\.com|snapchat\.com|youtube\.com|linkedin\.com|github\.com|discord\.gg)"
)
_SOCIAL_RE = re.compile(rf"(?:https?://)?(?:{_SOCIAL})/", re.I)
_URL = re.compile(rf"(?:https?://|www\.)[^\s<>\"'«»]{{1,500}}|(?<![\w.@/])(?:{_SOCIAL})/[^\s<>\"'«»]{{1,500}}", re.I)
# Paths that name a person on sites that are not in the list above.
_USER_PATH = re.compile(r"/@|/~|/u/|/users?/|/profile|/in/|/people/|/channel/|[?&](?:id|user)=", re.I)
_URL_TRAILING = ".,;:!?)]}’'\"…،؛"

_USERNAME = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_.]{1,31}(?<![.])(?![\w@])")


def _emails(text: str) -> Iterator[Span]:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Span(m.start(), m.end(), EMAIL)


def _links(text: str) -> Iterator[Span]:
    if "." not in text:
        return
    for m in _URL.finditer(text):
        url = m.group().rstrip(_URL_TRAILING)
        social = _SOCIAL_RE.match(url)
        if social:
            has_user = len(url) > social.end()
        else:
            has_user = bool(_USER_PATH.search(url))
        if has_user:
            yield Span(m.start(), m.start() + len(url), LINK)


def _usernames(text: str) -> Iterator[Span]:
    if "@" in text:
        for m in _USERNAME.finditer(text):
            yield Span(m.start(), m.end(), USERNAME)


# --- Swedish and Migrationsverket numbers ------------------------------------------

_PERSONNUMMER = re.compile(
    r"(?<![0-9A-Za-z])(?:(18|19|20)(?=[0-9]{6}[ ]?[-+]?[ ]?[0-9]{4}(?![0-9])))?"
    r"([0-9]{2})([0-9]{2})([0-9]{2})[ ]?([-+]?)[ ]?([0-9]{4})(?![0-9])"
)


_ID_KEYWORD = re.compile(
    r"person|samordning|pnr|p-nr|personal|coordination|identity|شخصي|الشخصي|التنسيق|شخصی|هویت"
    r"|shakhs|isku-?duw|ምትእስሳር|ናይ ሰብ|персональн|координац|особист",
    re.I,
)


def _is_swedish_phone(candidate: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(candidate, "SE"))
    except phonenumbers.NumberParseException:
        return False


def _personnummer(text: str) -> Iterator[Span]:
    for m in _PERSONNUMMER.finditer(text):
        _, yy, mm, dd, _, tail = m.groups()
        day = int(dd)
        if day > 60:  # samordningsnummer: day + 60
            day -= 60
        if (
            not m.group(1)
            and not m.group(5)
            and _is_swedish_phone(m.group())
            and not (_ID_KEYWORD.search(text, max(0, m.start() - 40), m.start()))
        ):
            continue  # "0701740605" is a mobile number unless the words around say otherwise
        if 1 <= int(mm) <= 12 and 1 <= day <= 31 and luhn_ok(yy + mm + dd + tail):
            yield Span(m.start(), m.end(), ID_NUMBER)


_DOSSIER = re.compile(r"(?<![0-9/-])[0-9]{2}-[0-9]{6}(?:/[0-9]{1,2})?(?![0-9]|-[0-9])")
_DOSSIER_KEYWORDS = (
    r"dossier|lma|ärende|arende|migrationsverket|case ?number|file ?number|card|kort"
    r"|بطاقة|بطاقت|البطاقة|ملف|الملف|رقم|دوسیه|دوسيه|پرونده|کارت|كارت|نمبر|شمیره|شماره"
    r"|kaar|lambar|fayl|ፋይል|ካርድ|ቁጽሪ|справ|картк|номер|досьє"
)
_DOSSIER_NEAR = re.compile(
    rf"(?:{_DOSSIER_KEYWORDS})[^0-9\n]{{0,30}}?(?<![0-9])([0-9]{{4}}[ -]?[0-9]{{4}})(?![ -]?[0-9])", re.I
)


def _dossier(text: str) -> Iterator[Span]:
    for m in _DOSSIER.finditer(text):
        yield Span(m.start(), m.end(), ID_NUMBER)
    for m in _DOSSIER_NEAR.finditer(text):
        yield Span(m.start(1), m.end(1), ID_NUMBER)


# --- bank and network ---------------------------------------------------------------

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")


def _ibans(text: str) -> Iterator[Span]:
    for m in _IBAN.finditer(text):
        candidate = m.group()
        # The greedy match may have taken a following group of digits: shorten by groups.
        while len(candidate) >= 15:
            if iban_ok(candidate.replace(" ", "")):
                yield Span(m.start(), m.start() + len(candidate), IBAN)
                break
            cut = candidate.rfind(" ")
            if cut < 0:
                break
            candidate = candidate[:cut]


_CARD = re.compile(r"(?<![0-9])[2-6](?:[ -]?[0-9]){12,18}(?![0-9])")


def _cards(text: str) -> Iterator[Span]:
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        if luhn_ok(digits):
            yield Span(m.start(), m.end(), CARD)


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?<![0-9.]){_OCTET}(?:\.{_OCTET}){{3}}(?![0-9]|\.[0-9])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


def _ips(text: str) -> Iterator[Span]:
    if "." in text:
        for m in _IPV4.finditer(text):
            yield Span(m.start(), m.end(), IP)
    if text.count(":") >= 2:
        for m in _IPV6.finditer(text):
            try:
                ipaddress.IPv6Address(m.group())
            except ValueError:
                continue
            yield Span(m.start(), m.end(), IP)


# --- addresses and postal codes -----------------------------------------------------

_STREET_SUFFIX = (
    r"gatan|gata|vägen|väg|gränden|gränd|torget|torg|plan|stigen|allén|allé|backen|leden"
    r"|platsen|kajen|parken|slingan|gången|stråket|esplanaden|promenaden|ringen|liden"
    r"|hagen|vallen|brinken|terrassen|vägen|road|street"
)
# "Norra vägen 30", "Gustav Adolfs torg 4": a street word after a capitalised word.
_STREET_WORD = r"gatan|vägen|gränd|gränden|torg|torget|stigen|allé|allén|backen|leden|road|street"
_NOT_AFTER_NUMBER = r"(?!\s?(?:min|kr|km|år|st\b|tim|%|procent|dag|gång|meter|m\b|sek))"
_ADDRESS = re.compile(
    rf"(?<!\w)(?:[A-ZÅÄÖ][\w.]{{1,20}} (?i:{_STREET_WORD})"
    rf"|(?:[A-ZÅÄÖ][\w.]{{1,20}} )?[A-Za-zÅÄÖåäöÉéÜü][\w-]{{1,30}}?(?:{_STREET_SUFFIX}))"
    rf" ?[0-9]{{1,4}}(?:(?:[A-Za-z]|[ ][A-Z])(?!\w))?(?![0-9])(?:,? ?(?:lgh|lägenhet) ?[0-9]{{3,4}})?"
    + _NOT_AFTER_NUMBER
)
_FLAT = re.compile(r"(?<!\w)(?:lgh|lägenhet|lägenhetsnummer) ?(?:nr ?)?[0-9]{4}(?![0-9])", re.I)

# Places a youth in Sweden is likely to name after a postal code.
_CITIES = (
    "stockholm|göteborg|goteborg|malmö|malmo|uppsala|västerås|örebro|linköping|helsingborg"
    "|jönköping|norrköping|lund|umeå|gävle|borås|södertälje|eskilstuna|halmstad|växjö"
    "|karlstad|sundsvall|östersund|trollhättan|luleå|borlänge|kalmar|kristianstad|skövde"
    "|falun|skellefteå|karlskrona|uddevalla|varberg|örnsköldsvik|landskrona|motala|solna"
    "|sundbyberg|huddinge|botkyrka|järfälla|nacka|täby|sollentuna|haninge|tumba|kista"
    "|rinkeby|hässelby|angered|biskopsgården|rosengård|alby|fittja|märsta|sigtuna|kiruna"
    "|gällivare|piteå|vänersborg|alingsås|ludvika|nässjö|värnamo|katrineholm|nyköping"
)
_POSTCODE = r"(?<![0-9])(?:SE-? ?)?[1-9][0-9]{2} ?[0-9]{2}(?![0-9])"
_POSTCODE_CITY = re.compile(rf"({_POSTCODE}),? +(?:{_CITIES})(?!\w)", re.I)
_POSTCODE_KEYWORD = re.compile(
    r"(?:postnummer|postnr|post ?code|postal ?code|zip(?: ?code)?|الرمز البريدي|کد پستی|كود البريد"
    r"|поштовий індекс|індекс|koodhka boostada|boostada)[^0-9\n]{0,12}?"
    rf"({_POSTCODE})",
    re.I,
)


# "Storgatan 12, 211 45 Malmö": a postal code right after a street address.
_AFTER_ADDRESS = re.compile(rf"[ \t]*[,،]?[ \t]*({_POSTCODE})")


def _addresses(text: str) -> Iterator[Span]:
    if any(c.isdigit() for c in text):
        for m in _ADDRESS.finditer(text):
            yield Span(m.start(), m.end(), ADDRESS)
            after = _AFTER_ADDRESS.match(text, m.end())
            if after:
                yield Span(after.start(1), after.end(1), POSTCODE)
        for m in _FLAT.finditer(text):
            yield Span(m.start(), m.end(), ADDRESS)
        for rx in (_POSTCODE_CITY, _POSTCODE_KEYWORD):
            for m in rx.finditer(text):
                yield Span(m.start(1), m.end(1), POSTCODE)


# In priority order: where two finders claim overlapping text, the earlier one wins.
# Phone numbers are looked for between the two groups (see `anonymizer`): a Luhn-valid
# personnummer beats a phone reading of the same digits, a phone beats a card reading,
# and a street number with its postal code ("Mårtensgatan 22 412 58") is an address.
BEFORE_PHONES = (_emails, _links, _ibans, _ips, _personnummer, _dossier, _addresses)
AFTER_PHONES = (_usernames, _cards)
