"""The invented youth of the demo: what each one answers, in their own language.

Nobody here exists. Each youth picks a language, answers the age question and the
consent question, then goes through one or two flows from the main menu, answering
by answer name (`topic`, `idea`, …). A youth stops at the first question whose answer
is not listed, as real youth do, which is what the statistics' funnel shows. Texts are
short, ordinary and already free of names and numbers, as staff would see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REVIEWERS = ("Maja (demo)", "Yusuf (demo)")  # invented staff names on status changes


@dataclass(frozen=True)
class Review:
    """What the (invented) team did with a submission on the dashboard."""

    status: str
    tags: tuple[str, ...] = ()
    note: str | None = None
    by: str = REVIEWERS[0]


@dataclass(frozen=True)
class Run:
    flow: str
    answers: dict[str, Any]  # answer name -> value (None: skipped); the youth leaves where one is missing
    review: Review | None = None
    talk_button: bool = False  # after the help answer, presses "I want to talk to someone now"


@dataclass(frozen=True)
class Youth:
    lang: str
    days_ago: float
    age: str | None = "age_16_17"  # None: leaves at the age question
    consent: bool | None = True  # None: leaves at the consent question
    contact: bool = True  # after consent: may the team write first?
    runs: tuple[Run, ...] = ()
    picks_language: bool = True  # False: leaves at the language question
    onboarding: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        given = (("age_band", self.age), ("consent", self.consent), ("contact", self.contact))
        answers = {k: v for k, v in given if v is not None}
        object.__setattr__(self, "onboarding", answers)


STOP: Any = object()  # as an answer: the youth leaves at this question


def idea(
    topic: str, text: str = STOP, helps: list[str] | None = STOP, followup: bool = STOP, review: Review | None = None
) -> Run:
    """Share an idea; `helps` None skips that (optional) question."""
    return Run(
        "share_idea", _until_stop({"topic": topic, "idea": text, "helps": helps, "followup_ok": followup}), review
    )


def need(
    hardest: str,
    more: str | None = STOP,
    helps: str = STOP,
    followup: bool = STOP,
    review: Review | None = None,
    talk_button: bool = False,
) -> Run:
    """Tell us what you need; `more` None skips that (optional) question."""
    answers = {"hardest": hardest, "hardest_more": more, "what_helps": helps, "followup_ok": followup}
    return Run("need", _until_stop(answers), review, talk_button)


def feedback(
    rating: str, workshops: int | None = STOP, comment: str | None = STOP, review: Review | None = None
) -> Run:
    """How was the workshop; None skips an (optional) question."""
    return Run("workshop_feedback", _until_stop({"rating": rating, "workshops": workshops, "comment": comment}), review)


def _until_stop(answers: dict[str, Any]) -> dict[str, Any]:
    names = list(answers)
    end = next((i for i, name in enumerate(names) if answers[name] is STOP), len(names))
    return {name: answers[name] for name in names[:end]}


SHORTLIST = Review("shortlisted", ("workshop theme",), "Bring to the next workshop.", REVIEWERS[1])
FOLLOWED_UP = "Asked a follow-up question in the staff group; the answer came back as a reply to the card."

YOUTH: tuple[Youth, ...] = (
    # Swedish
    Youth(
        "sv",
        18,
        runs=(
            idea(
                "free_time",
                "En fotbollsplan nära boendet som är öppen på kvällarna.",
                ["friends", "new_youth"],
                True,
                Review("shortlisted", ("sport", "follow-up"), FOLLOWED_UP),
            ),
        ),
    ),
    Youth(
        "sv",
        11,
        "age_18_21",
        runs=(
            need(
                "language",
                "Det är svårt att öva svenska utanför skolan.",
                "Ett språkcafé på biblioteket en gång i veckan.",
                True,
                Review("reviewed", ("language",)),
            ),
        ),
    ),
    Youth("sv", 6, runs=(feedback("great", 2, "Roligt att jobba i grupp, men det var för lite tid."),)),
    Youth(
        "sv",
        2,
        "age_13_15",
        runs=(
            need(
                "housing",
                "Jag är inte trygg hemma på boendet på nätterna.",
                "Ett annat boende eller en vuxen att prata med.",
                True,
                Review("reviewed", ("safeguarding",), "Called the social worker."),
            ),
        ),
    ),
    Youth("sv", 1, runs=(idea("meeting_people", "En app där nya och gamla ungdomar hittar aktiviteter ihop."),)),
    Youth("sv", 9, "under_13"),
    # English
    Youth(
        "en",
        17,
        "age_18_21",
        runs=(
            idea(
                "school",
                "Homework help in the afternoon, with older students who speak our languages.",
                ["new_youth", "everyone"],
                True,
                SHORTLIST,
            ),
        ),
    ),
    Youth(
        "en",
        3,
        runs=(
            need(
                "lonely",
                "I miss my family so much. Sometimes I don't want to live anymore.",
                "Someone to talk to who understands what it is like.",
                True,
                Review("reviewed", ("safeguarding",), "Helplines sent; a youth worker reached out.", REVIEWERS[1]),
                talk_button=True,
            ),
        ),
    ),
    Youth(
        "en",
        8,
        runs=(
            feedback("good", 1, "Good food and nice people. More breaks, please."),
            idea("health", "A nurse at school who has time to listen.", ["friends"], False),
        ),
    ),
    Youth("en", 5, consent=False),
    # Arabic
    Youth(
        "ar",
        16,
        runs=(
            idea(
                "housing",
                "نريد سكنًا للشباب قريبًا من المدرسة والمواصلات.",
                ["families", "new_youth"],
                True,
                Review("reviewed", ("housing",)),
            ),
        ),
    ),
    Youth(
        "ar",
        12,
        "age_18_21",
        runs=(
            need(
                "papers",
                "لا أفهم الرسائل التي تصلني من دائرة الهجرة.",
                "شخص يشرح لي الأوراق بلغتي.",
                True,
                Review("shortlisted", ("papers", "follow-up"), FOLLOWED_UP),
            ),
        ),
    ),
    Youth("ar", 4, runs=(idea("work", "تدريب صيفي في المحلات والمطاعم للشباب الجدد.", ["me", "friends"], False),)),
    Youth("ar", 1, consent=None),
    # Dari
    Youth(
        "fa_AF",
        15,
        runs=(
            idea(
                "free_time",
                "یک باشگاه کرکت برای جوانان در شهر ما باشد.",
                ["friends", "everyone"],
                True,
                Review("archived", ("sport",), "Similar to an earlier idea."),
            ),
        ),
    ),
    Youth(
        "fa_AF",
        10,
        runs=(
            need(
                "housing",
                "اتاق ما خیلی کوچک است و جای درس خواندن نداریم.",
                "یک جای آرام در کتابخانه برای درس خواندن.",
                False,
            ),
        ),
    ),
    Youth("fa_AF", 6, runs=(feedback("okay", None, "خوب بود، ولی ترجمه کم بود."),)),
    Youth("fa_AF", 3, "under_13"),
    # Pashto
    Youth(
        "ps",
        14,
        runs=(
            idea(
                "school",
                "په ښوونځي کې د مورنۍ ژبې ټولګي ولرو.",
                ["me", "new_youth"],
                True,
                Review("reviewed", ("school",)),
            ),
        ),
    ),
    Youth(
        "ps",
        7,
        "age_18_21",
        runs=(need("money", "زه نه پوهیږم چې خپلې پیسې څنګه وسپموم.", "د پیسو او بانک په اړه یو ساده کورس.", True),),
    ),
    Youth("ps", 2, runs=(idea("health"),)),
    Youth("ps", 1, age=None),
    # Somali
    Youth(
        "so",
        13,
        runs=(
            idea(
                "meeting_people",
                "Kulan toddobaadle ah oo ay dhallinyarada cusub iyo kuwa halkan ku dhashay isku bartaan.",
                ["everyone"],
                True,
                SHORTLIST,
            ),
        ),
    ),
    Youth(
        "so",
        9,
        runs=(
            need(
                "school", "Xisaabta iyo luqadda way igu adag yihiin.", "Caawimaad casharrada guriga ah fiidkii.", True
            ),
        ),
    ),
    Youth("so", 6, runs=(feedback("great", 1, "Aad baan u jeclaaday. Waxaan rabaa inaan mar kale imaado."),)),
    Youth("so", 2, consent=False),
    # Tigrinya
    Youth(
        "ti",
        12,
        runs=(
            idea(
                "work",
                "ንመንእሰያት ናይ ክረምቲ ስራሕ ዝረኽቡሉ መርበብ ይኹን።",
                ["me", "friends"],
                True,
                Review("reviewed", ("work",), None, REVIEWERS[1]),
            ),
        ),
    ),
    Youth(
        "ti",
        8,
        "age_13_15",
        runs=(
            need(
                "lonely",
                "ስድራይ ኣብዚ የለዉን፣ ብጣዕሚ ይናፍቖም።",
                "ምስ ካልኦት መንእሰያት ዝራኸበሉ ቦታ።",
                True,
                Review("shortlisted", ("follow-up",), FOLLOWED_UP),
            ),
        ),
    ),
    Youth("ti", 4, runs=(idea("free_time", "ንኣዋልድ ናይ ኩዕሶ እግሪ ጉጅለ ኣብ ከተማና።", ["friends"]),)),
    Youth("ti", 1, picks_language=False),
    # Ukrainian
    Youth(
        "uk",
        19,
        runs=(
            idea(
                "school",
                "Літні курси шведської, щоб не забути мову за канікули.",
                ["new_youth"],
                True,
                Review("shortlisted", ("language",)),
            ),
        ),
    ),
    Youth(
        "uk",
        11,
        "age_18_21",
        runs=(
            need(
                "papers",
                "Не розумію, як продовжити дозвіл на проживання.",
                "Консультація юриста українською мовою.",
                True,
                Review("reviewed", ("papers",)),
            ),
        ),
    ),
    Youth("uk", 6, runs=(feedback("good", 3, "Було цікаво, але хочеться більше практики."),)),
    Youth("uk", 0.5, runs=(idea("free_time", "Безкоштовний басейн для підлітків у вихідні."),)),
)
