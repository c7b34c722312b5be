"""The anonymiser against the labelled corpora in tests/corpus/, plus unit and
property tests. The recall and false-change tables are printed on every run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import anonymize, find_spans
from bot.privacy import score as score_module

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
LANGS = list(score_module.LANGS)

# Floors the project's corpus must keep (issue 16): names and addresses in EVERY
# language, the shaped identifiers perfect, at most 1% of harmless sentences altered.
PER_LANGUAGE_FLOOR = {"NAME": 0.97, "ADDRESS": 0.97, "POSTCODE": 0.97}
PERFECT = ("PHONE", "EMAIL", "ID-NUMBER", "USERNAME", "IBAN", "CARD", "IP", "LINK")
CLEAN_ALTERED_MAX = 0.01
# The held-out part (tests/corpus/heldout.yaml) was never used to tune the rules; its
# floors are what it scored when it was first measured, rounded down, so it cannot slip.
HELDOUT_FLOOR = {"NAME": 0.93, "ADDRESS": 0.97, "POSTCODE": 0.97}
# The second held-out part (tests/corpus/heldout2.yaml, the issue-16 follow-up): the same,
# measured once after the follow-up's rule changes (NAME 0.816, before them 0.793).
HELDOUT2_FLOOR = {"NAME": 0.81, "ADDRESS": 0.97, "POSTCODE": 0.97}
HELDOUT2_CLEAN_MAX = 0.05

CORPORA = score_module.project_corpora(CORPUS)
LABELLED, CLEAN = CORPORA["corpus (tuning)"]
HELDOUT, HELDOUT_CLEAN = CORPORA["held out"]
HELDOUT2, HELDOUT2_CLEAN = CORPORA["held out 2"]
ORDINARY = yaml.safe_load((CORPUS / "ordinary.yaml").read_text(encoding="utf-8"))


def _score(items, clean, capsys, title):
    s = score_module.score(items, clean, find_spans=find_spans, anonymize=anonymize)
    with capsys.disabled():
        print(f"\n{title}\n{score_module.table(s)}")
    return s


def test_corpora_are_big_enough_and_cover_every_language():
    assert len(LABELLED) >= 500
    assert {i.lang for i in LABELLED} == set(LANGS) == {i.lang for i in HELDOUT} == {i.lang for i in HELDOUT2}
    assert set(HELDOUT2_CLEAN) == set(LANGS)
    assert sum(len(v) for v in ORDINARY.values()) >= 200
    assert set(ORDINARY) == set(LANGS) == set(CLEAN) == set(HELDOUT_CLEAN)
    assert all(len(ORDINARY[lang]) >= 25 for lang in LANGS)
    assert sum(len(v) for v in CLEAN.values()) >= 400  # ordinary.yaml + clean.yaml
    s = score_module.score(LABELLED, {}, find_spans=lambda *a, **k: [], anonymize=lambda t: t)
    for label, least in (("ADDRESS", 6), ("POSTCODE", 3)):  # so 0.97 means none missed
        assert all(s.total[label][lang] >= least for lang in LANGS), label
    assert all(s.total["NAME"][lang] >= 40 for lang in LANGS)


def test_recall_on_labelled_corpus(capsys):
    s = _score(LABELLED, CLEAN, capsys, "Anonymiser recall on the project's corpus:")
    if s.misses:
        with capsys.disabled():
            print("\n".join(s.misses))
    for label, floor in PER_LANGUAGE_FLOOR.items():
        for lang in LANGS:
            assert s.recall(label, lang) >= floor, f"{label} {lang}: {s.recall(label, lang):.3f}"
    for label in PERFECT:
        assert s.recall(label) == 1.0, label
    assert sum(s.extra.values()) <= len(LABELLED) * 0.02


def test_clean_sentences_are_left_alone(capsys):
    s = _score([], CLEAN, capsys, "Harmless sentences altered (ordinary.yaml + clean.yaml):")
    assert s.clean_rate() <= CLEAN_ALTERED_MAX, "\n".join(s.misses)


@pytest.mark.parametrize(
    ("items", "clean", "floors", "clean_max", "title"),
    [
        (HELDOUT, HELDOUT_CLEAN, HELDOUT_FLOOR, 0.05, "Held out (never used to tune):"),
        (HELDOUT2, HELDOUT2_CLEAN, HELDOUT2_FLOOR, HELDOUT2_CLEAN_MAX, "Held out 2 (never used to tune):"),
    ],
    ids=["heldout", "heldout2"],
)
def test_held_out_corpus(items, clean, floors, clean_max, title, capsys):
    s = _score(items, clean, capsys, title)
    for label, floor in floors.items():
        assert s.recall(label) >= floor, f"{label}: {s.recall(label):.3f}"
    for label in PERFECT:
        assert s.recall(label) == 1.0, label
    assert s.clean_rate() <= clean_max


# --- the sender's own names ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("SARA och sara och Sára", ["Sara"], "[NAME] och [NAME] och [NAME]"),
        ("Sarajevo är fint", ["Sara"], "Sarajevo är fint"),  # word boundaries
        ("Saras idé", ["Sara"], "[NAME] idé"),  # a possessive is the name too
        ("Jag, Åsa Öberg, vill", ["Asa", "Oberg"], "Jag, [NAME], vill"),
        ("أنا أحمد وأختي", ["احمد"], "أنا [NAME] وأختي"),
        ("نام من فاطمه است", ["فاطمة"], "نام من [NAME] است"),
        ("Привіт, це ЙОСИП", ["Йосип"], "Привіт, це [NAME]"),
        ("ሰላም ሳባ", ["ሳባ"], "ሰላም [NAME]"),
        ("skriv till @sara_k99 eller sara_k99", ["@sara_k99"], "skriv till [USERNAME] eller [USERNAME]"),
        ("Anna-Karin och Karin", ["Anna-Karin"], "[NAME] och [NAME]"),
        ("hej", ["", "  ", "x"], "hej"),
    ],
)
def test_own_names(text, names, expected):
    assert anonymize(text, names=names) == expected


def test_introduced_name_is_removed_everywhere_in_the_text():
    text = "Jag heter Nour. Nour vill ha en fritidsgård."
    assert anonymize(text) == "Jag heter [NAME]. [NAME] vill ha en fritidsgård."


def test_name_answer_only_takes_the_name():
    assert anonymize("Hej! Omar, 16 år", name_answer=True) == "Hej! [NAME], 16 år"
    assert anonymize("I don't want to say", name_answer=True) == "I don't want to say"
    assert anonymize("Zumbafika, 16 år", name_answer=True) == "[NAME], 16 år"
    assert anonymize("Zumbafika, 16 år") == "Zumbafika, 16 år"  # not a known name, no context


# --- shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+46 70 174 06 05",
        "070-174 06 05",
        "0701740605",
        "070 174 06 05",
        "+46701740605",
        "00 46 70 174 06 05",
        "0046701740605",
        "+93 70 123 4567",
        "٠٧٠١٧٤٠٦٠٥",
        "۰۷۰ ۱۷۴ ۰۶ ۰۵",
        "(070) 174 06 05",
        "08-123 456 78",
        "+380 67 123 4567",
    ],
)
def test_phone_formats(phone):
    assert anonymize(f"ring {phone} nu") == "ring [PHONE] nu"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pnr 050314-4313", "pnr [ID-NUMBER]"),
        ("pnr 20050314-4313", "pnr [ID-NUMBER]"),
        ("pnr 050314+4313", "pnr [ID-NUMBER]"),
        ("pnr 0503144313", "pnr [ID-NUMBER]"),
        ("samordningsnummer 060268-9408", "samordningsnummer [ID-NUMBER]"),
        ("dossier 12-345678/2", "dossier [ID-NUMBER]"),
        ("LMA 1234 5678", "LMA [ID-NUMBER]"),
    ],
)
def test_swedish_identity_numbers(text, expected):
    assert anonymize(text) == expected


def test_checksums_reject_lookalikes():
    # Luhn fails, mod 97 fails, Luhn fails: left alone (or found as something else).
    assert "[ID-NUMBER]" not in anonymize("nummer 050314-4314 kanske")
    assert anonymize("SE45 5000 0000 0583 9825 7467") != "[IBAN]"
    assert "[CARD]" not in anonymize("4111 1111 1111 1112")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mejla a.b-c+d@example.co.uk.", "mejla [EMAIL]."),
        ("kolla t.me/someone", "kolla [LINK]"),
        ("https://www.instagram.com/someone/?hl=sv, eller", "[LINK], eller"),
        ("https://example.org/users/someone", "[LINK]"),
        ("läs på https://www.migrationsverket.se/ och www.1177.se", None),
        ("ip 192.168.0.1 och fe80::1ff:fe23:4567:890a", "ip [IP] och [IP]"),
        ("version 1.2.3 och kl 17:30:00", None),
        ("Drottninggatan 5B, 111 51 Stockholm", "[ADDRESS], [POSTCODE] Stockholm"),
        ("postnummer 21145", "postnummer [POSTCODE]"),
        ("vi var 123 45 gånger där", None),
        ("på vägen 20 minuter, plan 3, Storgatan har 4 affärer", None),
    ],
)
def test_shapes(text, expected):
    assert anonymize(text) == (text if expected is None else expected)


@pytest.mark.parametrize(
    "text",
    [
        "kl 17:30",
        "200 kr",
        "buss 4",
        "år 2024",
        "12 mars 2024",
        "2024-03-12",
        "50%",
        "16 år",
        "1 200 kr",
        "vecka 12",
        "08.00-16.30",
        "tel. tid 8-9",
        "1/3 av eleverna",
        "rum 12, våning 3",
        "linje 150 och 172",
        "3,5 poäng",
        "19.90 kr",
        "120 000 invånare",
    ],
)
def test_ordinary_numbers_stay(text):
    assert anonymize(text) == text


# --- properties --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3), st.booleans())
def test_never_raises(text, names, name_answer):
    out = anonymize(text, names=names, name_answer=name_answer)
    assert isinstance(out, str)


_words = st.sampled_from(["hej", "och", "buss", "4", "kl", "17:30", "år", "2024", ",", ".", "salam", "ሰላም"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_words, max_size=8), st.lists(_words, max_size=8), st.integers(5, 99))
def test_a_phone_number_anywhere_is_removed(before, after, tail):
    phone = f"070-174 06 {tail:02d}"
    text = " ".join([*before, phone, *after])
    out = anonymize(text)
    assert "[PHONE]" in out and phone not in out


# --- names of other people, issue 16 ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min kontaktperson heter Johanna Lund", "min kontaktperson heter [NAME]"),
        ("Vi träffade Per Andersson i går", "Vi träffade [NAME] i går"),
        ("Per månad kostar det 200 kr", None),  # a common-word name without context
        ("Abdis förslag är bäst", "[NAME] förslag är bäst"),
        ("با برادرم محمود رفتیم", "با برادرم [NAME] رفتیم"),
        ("أنا وعبد الله وعبدالله", "أنا و[NAME] و[NAME]"),
        ("شفیع‌الله هستم", "[NAME] هستم"),
        ("ma naam karim ast", "ma naam [NAME] ast"),
        ("Я ходжу з братом Андрієм", "Я ходжу з братом [NAME]"),
        ("ኣነ ሰናይት እየ", "ኣነ [NAME] እየ"),
        ("عندي أمل كبير", None),  # Amal is "hope"
        ("اسمي أمل", "اسمي [NAME]"),
        ("تواصل معي على تيليغرام", None),  # «على» folds like «علي»
        ("Polisen har numret 114 14", None),  # "har" folds like "här"
        # an unknown name after a possessive relation word, where the next word confirms it
        ("اخوي جوان بالمدرسة", "اخوي [NAME] بالمدرسة"),
        ("برادرم کامبیز در مکتب است", "برادرم [NAME] در مکتب است"),
        ("زما ملګری شیرزمان هم دلته دی", "زما ملګری [NAME] هم دلته دی"),
        ("walaalkay cigaal wuxuu joogaa Kenya", "walaalkay [NAME] wuxuu joogaa Kenya"),
        ("ሓወይ ኣፍሮም ኣብ ሊብያ ኣሎ", "ሓወይ [NAME] ኣብ ሊብያ ኣሎ"),
        # …and not where the word after it is no name's follower, or it is an ordinary word
        ("أخي يلعب كرة القدم", "أخي يلعب كرة القدم"),
        ("برادرم فوتبال را دوست دارد", "برادرم فوتبال را دوست دارد"),
        ("اخوي الكبير بالمدرسة", "اخوي الكبير بالمدرسة"),
        ("أخي وصديقي في المدرسة", "أخي وصديقي في المدرسة"),
        ("walaalkay wuu xanuunsan yahay", "walaalkay wuu xanuunsan yahay"),
        ("min bror läser i Lund", "min bror läser i Lund"),
        # the writer's own unknown name between "I" and "am", or before "am … from"
        ("من کامبیز هستم", "من [NAME] هستم"),
        ("کامبیز هستم از هرات", "[NAME] هستم از هرات"),
        ("خسته هستم از کار", "خسته هستم از کار"),
        ("أنا جوان من حلب", "أنا [NAME] من حلب"),
        ("أنا تعبان من الشغل", "أنا تعبان من الشغل"),
        ("waxaan ahay cigaal", "waxaan ahay [NAME]"),
        # "with X and [name]"
        ("رفتم با کامبیز و شیرزاد", "رفتم با [NAME] و [NAME]"),
        ("رفتم با مادرم و خواهرم", "رفتم با مادرم و خواهرم"),
    ],
)
def test_other_peoples_names(text, expected):
    assert anonymize(text) == (text if expected is None else expected)


def test_a_name_found_by_its_context_is_removed_everywhere_in_the_text():
    text = "Min kompis Zumbafika kommer. Zumbafika gillar fotboll."
    assert anonymize(text) == "Min kompis [NAME] kommer. [NAME] gillar fotboll."


# --- public numbers ------------------------------------------------------------------


@pytest.mark.parametrize("number", ["112", "116 111", "116111", "90101", "1177", "114 14", "113 13"])
def test_public_helplines_are_kept(number):
    text = f"Ring {number} eller 116 111 om du mår dåligt, eller 112."
    assert anonymize(text) == text


@pytest.mark.parametrize("phone", ["08-116 111 23", "070-116 111 2", "+46 8 114 14 00"])
def test_a_personal_number_containing_a_helpline_is_still_removed(phone):
    assert anonymize(f"ring mig på {phone}") == "ring mig på [PHONE]"


def test_public_numbers_come_from_the_setting(monkeypatch):
    from bot.base.settings import PUBLIC_NUMBERS, Settings, get_settings

    text = "Ring BRIS 116 111 eller 112 om det är akut."
    assert Settings(_env_file=None).public_numbers == list(PUBLIC_NUMBERS)
    assert anonymize(text, public_numbers=()) == "Ring BRIS [PHONE] eller 112 om det är akut."
    monkeypatch.setenv("PUBLIC_NUMBERS", '["112"]')
    get_settings.cache_clear()
    try:
        assert anonymize(text) == "Ring BRIS [PHONE] eller 112 om det är akut."
    finally:
        monkeypatch.delenv("PUBLIC_NUMBERS")
        get_settings.cache_clear()
    assert anonymize(text) == text


def test_a_postcode_after_a_street_is_removed_even_if_it_looks_like_a_helpline():
    assert anonymize("Storgatan 1, 114 14 Stockholm") == "[ADDRESS], [POSTCODE] Stockholm"
    assert anonymize("Polisen 114 14, Stockholm") == "Polisen 114 14, Stockholm"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jag bor i 114 14 Stockholm", "Jag bor i [POSTCODE] Stockholm"),
        ("Postnummer 113 13", "Postnummer [POSTCODE]"),
        ("postnr: 114 14", "postnr: [POSTCODE]"),
        ("Vi bor på 113 13 Stockholm nu", "Vi bor på [POSTCODE] Stockholm nu"),
    ],
)
def test_a_postcode_with_a_service_numbers_digits_is_still_a_postcode(text, expected):
    assert anonymize(text) == expected


# --- the lexicon's data files ---------------------------------------------------------


def test_the_name_lists_name_their_source_and_licence_and_are_package_data():
    import tomllib

    data = Path(score_module.__file__).parent / "data"
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "Source" in readme and "Licence" in readme
    for name in ("given_names.txt", "surnames.txt", "common_words.txt"):
        assert name in readme and (data / name).stat().st_size > 0
    pyproject = tomllib.loads((Path(__file__).resolve().parents[3] / "pyproject.toml").read_text())
    assert "privacy/data/*" in pyproject["tool"]["setuptools"]["package-data"]["bot"]


def test_lexicon_folds_and_declines():
    from bot.privacy.names_lexicon import key, lexicon

    lex = lexicon()
    assert key("Åsa") in lex.given and key("ÅSA") == key("asa")
    assert key("علی") == key("علي") and key("علی") in lex.given
    assert key("شفیع‌الله") == key("شفیع الله") == key("شفیعالله") and key("شفیع الله") in lex.given
    assert {key("Андрієм"), key("Ганні"), key("Оксаною")} <= lex.given
    assert key("أمل") in lex.context and key("ayaan") in lex.named
