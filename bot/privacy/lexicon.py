"""Words that introduce a name, and words that cannot be part of one, in the eight
languages (sv, en, ar, fa_AF, ps, so, ti, uk). Written naturally here; folded
(`textfold`) when the patterns are built.
"""
from __future__ import annotations

# Phrases after which the writer's own name follows: "my name is …".
INTRODUCTIONS: dict[str, tuple[str, ...]] = {
    "sv": (
        "jag heter", "heter jag", "och heter", "mitt namn är", "mitt namn e", "mitt förnamn är",
        "mitt efternamn är", "mitt fullständiga namn är", "namnet är", "kalla mig", "jag kallas för",
        "jag kallas", "alla kallar mig", "de kallar mig", "mina vänner kallar mig", "namn:",
    ),
    "en": (
        "my name is", "my name's", "my names", "my first name is", "my last name is",
        "my surname is", "my full name is", "i'm called", "i am called", "im called",
        "call me", "they call me", "people call me", "my friends call me", "name:",
    ),
    "ar": (
        "اسمي", "انا اسمي", "اسمي هو", "إسمي", "نادني", "نادوني", "ينادونني", "يناديني",
        "أدعى", "انا ادعى", "اسم العائلة", "الاسم:", "اسم:",
    ),
    "fa_AF": (
        "اسم من", "نام من", "اسمم", "نامم", "نام مه", "اسم مه", "نام کامل من", "تخلص من",
        "نام:",
    ),
    "ps": ("زما نوم", "نوم مې", "نوم می", "زما بشپړ نوم", "نوم:"),
    "so": (
        "magacaygu waa", "magacayga waa", "magacaygu", "magacayga", "magacaa waa",
        "waxaa la i yiraahdaa", "waxa la i yiraahdaa", "waxaa la i yidhaahdaa",
        "waxaa la igu magacaabaa", "waxaa la igu yaqaan", "magac:",
    ),
    "ti": ("ስመይ", "ስመይ ድማ", "ሽመይ", "ስም:"),
    "uk": (
        "мене звати", "мене звуть", "звати мене", "моє ім'я", "моє ім’я", "моє імʼя", "мене кличуть",
        "моє прізвище", "меня зовут", "кличуть мене", "ім'я:", "ім’я:",
    ),
}

# Introductions without "I", only at the start of a sentence: "Tja! Heter Omid."
INTRODUCTIONS_AT_START: tuple[str, ...] = ("heter", "kallas", "name's", "name is", "called")

# Words that end an introduction whose name stands before them: "Ahmad nomegam".
INTRODUCTIONS_BEFORE: tuple[str, ...] = (
    "نومیږم", "نومېږم", "نوميږم", "i dheh", "ይብሉኒ", "ይብሉኒ እዮም", "heter jag", "is my name",
    "är mitt namn", "نام من است", "صدا میکنند", "صدا میکنن", "صدا می‌کنند", "صدا میزنند",
)

# A name answer or introduction may open with a greeting before the name.
GREETINGS: tuple[str, ...] = (
    "hej", "hejsan", "hallå", "tja", "hi", "hello", "hey", "salam", "salaam", "salom",
    "سلام", "السلام عليكم", "مرحبا", "اهلا", "مرحبا", "asc", "nabad", "haye", "ሰላም",
    "ሰላም ንኹልኩም", "привіт", "вітаю", "добрий день",
)

# "Hi, I'm Sara": only after a greeting, and only with a capitalised name.
GREETING_SELF = ("i'm", "i am", "im", "jag är", "я")

# Words that are never (part of) a name: they end the name that precedes them.
STOPWORDS: tuple[str, ...] = (
    # sv
    "och", "men", "jag", "är", "e", "bor", "kommer", "från", "år", "gammal", "gamla", "i", "på",
    "med", "som", "har", "går", "gick", "vill", "kan", "ska", "en", "ett", "det", "den", "du",
    "min", "mitt", "mina", "hon", "han", "vi", "de", "eller", "till", "för", "om", "nu", "här",
    "läser", "studerar", "jobbar", "pluggar", "tycker", "gillar", "behöver", "sedan", "sen",
    "inte", "bara", "också", "ock", "typ", "hej", "tack", "lol",
    # en
    "and", "but", "or", "am", "is", "was", "from", "live", "living", "years", "year", "old",
    "in", "at", "on", "the", "a", "an", "to", "my", "me", "he", "she", "we", "they", "it",
    "im", "i'm", "not", "and i", "come", "came", "study", "work", "like", "need", "want",
    "have", "so", "too", "also", "thanks", "thank", "please", "hi", "hello", "by", "with",
    "swedish", "afghan", "syrian", "somali", "eritrean", "ukrainian", "iraqi", "new",
    # ar
    "و", "انا", "أنا", "من", "في", "عمري", "وعمري", "عندي", "اعيش", "أعيش", "اسكن", "أسكن", "هو",
    "هي", "سنة", "عاما", "عام", "ادرس", "أدرس", "اعمل", "أعمل", "احب", "أحب", "اريد", "أريد",
    "لكن", "مع", "الى", "إلى", "هكذا", "كذلك", "شكرا", "جئت", "وصلت", "اتيت", "أتيت", "لدي", "ولدي",
    # fa_AF / ps (shared script)
    "است", "هست", "هستم", "اس", "استم", "ام", "یم", "دی", "ده", "یې", "يې", "دے", "او", "که",
    "من", "مه", "زه", "از", "در", "په", "له", "سال", "ساله", "کلن", "کلنه", "کال", "مرا", "مره",
    "زندگی", "میکنم", "می‌کنم", "ژوند", "کوم", "کوو", "اوسېږم", "اوسیږم", "میخواهم", "غواړم",
    "مکتب", "ښوونځي", "هم", "خو", "را", "رو",
    # so
    "iyo", "waa", "waxaan", "ahay", "jiraa", "jir", "sano", "ka", "ku", "kaga", "degan",
    "deggan", "aan", "oo", "laakiin", "waan", "baan", "ahaa", "imid", "yimid",
    "dugsiga", "waxaa", "la", "mahadsanid",
    # ti
    "እዩ", "ኢዩ", "እየ", "ኢየ", "እዬ", "ይበሃል", "እበሃል", "ኮይኑ", "ኣነ", "ካብ", "ኣብ", "እየ።",
    "ዓመተይ", "ዓመት", "እነብር", "ይነብር", "እመሃር", "እሰርሕ", "ከኣ", "ድማ", "ግን", "ምስ", "ናይ",
    "የቐንየለይ",
    # uk
    "і", "й", "та", "а", "але", "я", "мені", "мене", "років", "рік", "роки", "з", "із", "в",
    "у", "живу", "навчаюсь", "навчаюся", "вчуся", "працюю", "приїхав", "приїхала", "хочу",
    "маю", "люблю", "дякую", "це", "ми", "він", "вона", "теж", "також", "звати", "звуть",
    # transliterated Dari, Pashto, Arabic, Tigrinya ("ma naam karim ast", "ana yousef w 3mri 17")
    "ast", "as", "hastam", "hastom", "astam", "dai", "de", "dey", "yam", "yem", "eye", "iye", "eyu",
    "w", "wa", "ana", "3mri", "omri", "sal", "saal", "kalan", "kalana",
)
