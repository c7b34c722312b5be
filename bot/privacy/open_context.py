"""Names the lexicon lacks, after a relation word in a script without capitals.

In Swedish or English a capital after "min bror" says a name follows; Arabic, Dari,
Pashto and Tigrinya have no capitals, and youth write Somali in lower case. There a
relation word with a possessive ("اخوي", "برادرم", "زما ورور", "walaalkay", "ሓወይ") or a
definite title ("المترجمة") is itself the cue: the word right after it is a name unless
it is one of the ordinary words that follow such a word (an adjective, a verb, a
preposition, an adverb: `_COMMON`), or has the shape of one (Arabic «ال…», Persian
«می…» verbs, a second relation word).

`open_relation(context)` says whether a matched relation context opens the next word;
`open_name(key)` whether a word there is a name; `follows_name(key)` whether the word
after it confirms that (an unknown word is taken only then: «أخي يلعب كرة» keeps
«يلعب», «اخوي جوان بالمدرسة» loses «جوان»). Keys are folded as `names_lexicon.key`.
"""

from __future__ import annotations

import re

from .names_lexicon import key
from .lexicon import STOPWORDS
from .relations import RELATIONS
from .textfold import fold_str

# Relation contexts (folded; `%` is a letter) after which an unknown word is a name: Arabic script and
# Ge'ez (no capitals), then Somali in Latin letters.
_OPEN_UNCASED = (
    # ar: a possessive or definite relation word or title
    r"(?:و)?(?:ال)?%+(?:ي|تي|نا|تنا|وي|ويا)",
    r"(?:و)?ال(?:مترجم|مرشد|استاذ|دکتور|دكتور|مشرف|معلم|موظف|محامي|اخصايي|وصي|مدرب|طبيب|مسوول)ه?",
    r"(?:ابن|بنت|ولد) %+",
    r"%+ (?:ال)?سوسيال",
    # fa_AF: a possessive suffix, or a two-word relation (بچه کاکایم, کارمند سوسیال)
    r"%+\u200c?(?:م|ام|يم|مان)",
    r"%+ %+",
    r"گود ?من|سرپرست|ترجمان|کارمند|معلم|استاد",
    # ps: the relation words themselves (a possessive زما stands before them)
    r"ملګري|ملگري|ورور|خور|مور|پلار|تره|ماما|ښوونکي|ښوونکې|استاد|معلم|ډاکټر|سرپرست|زوي|لور|کاکا|ترور",
    r"ژباړونکي|ژباړن|کارکوونکي|کارکوونکې|ګود ?من",
    # ti: a possessive relation word (-ይ my, -ና our) or a two-word one (ወዲ ኣኮይ)
    r"%+(?:ይ|ና)",
    r"(?:ወዲ|ጓል) %+",
    r"ተርጓሚ|ሓላዊ|መምህር|ሰራሕተኛ|ማሕበራዊ %+",
)
# so: a possessive (-kay, -tay, -kayga, -keena, -kaaga…) or a definite form (-ka, -ta)
_OPEN_SOMALI = (
    r"[a-z]+(?:kay|tay|gay|kayga|tayda|gayga|keena|teena|kaaga|taada|kiisa|tiisa|keeda|teeda|ka|ta)",
    r"ina[- ]?(?:adeer|abti|eedo|habaryar)[a-z]*",
    r"shaqaala\w* bulshada",
)
_LETTER = r"[^\W\d_]"  # `%` in the patterns above (folding would change "\W")
_OPEN = re.compile("|".join(f"(?:{fold_str(p)})" for p in _OPEN_UNCASED).replace("%", _LETTER))
_SOMALI_RELATION = re.compile("|".join(f"(?:{p})" for p in RELATIONS["so"]))
_OPEN_LATIN = re.compile("|".join(f"(?:{p})" for p in _OPEN_SOMALI))


# Ordinary words that follow a relation word, by language (written unfolded).
_COMMON_WORDS = """
الكبير الصغير كبير صغير الكبيرة الصغيرة مريض مريضة تعبان تعبانة بخير منيح منيحة طيب طيبة
لطيف لطيفة مبسوط مبسوطة زعلان زعلانة حلو حلوة شاطر شاطرة جديد جديدة قديم كمان برضو بس
رح راح بدو بدها بدي قال قالت قلي قللي اجا اجت جاء جاءت جاي جاية ساكن ساكنة يسكن تسكن يعيش
تعيش يدرس تدرس يشتغل تشتغل عم عند عندو عندها ما مش مو لسا لسه هلق هلأ هون هنيك كان كانت
صار صارت بالمدرسة بالمدرسه بالبيت بسوريا بالعراق بالسويد بتركيا بالمانيا بالمانيه يلي اللي
الي الذي التي بعدو بعدها وين فين دايما دائما كتير كثير شوي شوية يحب تحب بيحب بتحب يريد تريد
بيشتغل بتشتغل بيدرس بتدرس بيسكن بتسكن يعرف تعرف بيعرف بتعرف مات ماتت توفي توفيت معي معنا
ابن بنت ولد خايف خايفة زهقان زهقانة مشتاق مشتاقة
انا انت انتي هو هي هم نحن اخوي اختي صاحبي صاحبتي صديقي صديقتي عمي خالي امي ابي
کلان خورد کوچک بزرگ بزرگم کوچکم خوب بد مریض خسته خوش خوشحال ناراحت مهربان جان عزیز
خسته تنها آماده اماده گفت گفته گفتش میگه میگوید میخواد میخواهد میره میرود میاد میاید آمد امد رفت است هست نیست
بود هستند هم همراهم همرایم همرای دیگه دیگر هنوز همیشه فعلا الان حالا اینجا آنجا انجا
در به از با تا که را برای پیش نزد خانه مکتب کابل ایران افغانستان پاکستان ترکیه یونان
هیچ هر همه یک دو سه کی چی چه چطور کجا چرا مه تو او ما شما ایشان
ډېره ډیره زیاته مشر کشر لوی وړوکی وړوکې ښه بد ناروغ ستړی خوشاله خوشحاله مهربان مهربانه جان ګرانه ګران
وایي وویل ووایه راځي راغی راغلی راغله ځي لاړ تللی کوي کوم دی ده دي وو وه هم لا اوس دلته
هلته په کې ته له سره څخه نه ډېر ډیر زیات هغه دا زه ته موږ تاسو دوی
yar yarta weyn weynta wanaagsan fiican xanuunsan jiran faraxsan wuxuu waxay wuu way
waa ayaa baa ayuu ayay ma mar weli hadda halkan halkaas sidoo kale iyo oo ee ka ku la u
kaliya aad aad ah yahay tahay joogaa jooga yimid timid tagay tagtay dhashay dhalatay waxa
ዓቢ ዓባይ ንእሽቶ ንኡስ ሓሚሙ ሓሚማ ጽቡቕ ጽብቕቲ ሕማቕ ሕጉስ ሕጉስቲ ኣብ ካብ ናብ ምስ ሕጂ ገና ኩሉ
ከኣ ድማ እውን ውን እዩ እያ ኣሎ ኣላ የለን ይነብር ትነብር ይመሃር ትመሃር ይሰርሕ ትሰርሕ በሊ ኢሉ ኢላ
ከምኡ ከምኡውን ኣነ ንሱ ንሳ ንሕና ንስኻ ንስኺ ሎሚ ትማሊ ጽባሕ ኣዝዩ ብዙሕ ለዋህ ሕያዋይ ሕያወይቲ ጽኑዕ ተሪር ደስ
ቁጽሪ ስልኪ ኣድራሻ ስም ስሙ ስማ ገዛ ትምህርቲ ስራሕ ዕድመ ዕድሚኡ ዕድሚኣ
ساكن ساكنة جاية جاي رح صار صارت بدو بدها ما قالت قال عم كمان هون هنا امروز ديروز ډېر ډير ሕጂ ምሳይ ምሳና
يوم عمره عمرها اسمه اسمها زال زالا زالت زلت تبدأ يبدأ رقم رقمه عنوان عنوانه تلفون تلفونه
بيت بيته ايميل شغل شغله بالصف بالجامعة بالشغل
شماره شمارهاش نمبر آدرس آدرسش دارم داره داریم دارد دارند دوست کار کارش سن سنش
شمیره شمېره پته نوم کور تلیفون ټیلیفون عمر
lambarka nambarka cinwaanka guriga taleefanka kubadda fasalka dugsiga xafiiska shaqada
cusub hore dambe dhow fog gaaban dheer arday ardey qof wiil gabar nin naag reer
"""
_COMMON = frozenset(key(w) for w in _COMMON_WORDS.split())
_STOP = frozenset(key(w) for w in STOPWORDS)
_OBJECT_MARKERS = frozenset(key(w) for w in ("را", "رو"))
# Shapes of ordinary words: Arabic «ال…» (the …), «بال…», «عال…» (to the …),
# spoken Arabic verbs («بيشتغل», «راحوا»), Arabic and Tigrinya present-tense verbs
# («ينتظر», «ይምሃር»: a name with these first letters is in the lexicon or missed),
# Persian «می…»/«نمی…» verbs (the joiner is gone from keys).
_COMMON_SHAPE = re.compile(
    fold_str(
        r"^(?:ال|بال|وال|لل|فال|عال|عل)|^(?:نمي|مي)(?:خوا|گ|کن|ش|تو|دا)|^(?:بي|بت|بن)..{4,}|..وا$|^ي...|^[تن]..+(?:ون|ان|وا)$|^ይ.."
    )
)


def open_relation(context: str) -> bool:
    """Does the folded relation context `context` open the next word (in a script
    without capitals) to unknown names?"""
    return _OPEN.fullmatch(context) is not None


# The writer's "I" before a name that "… هستم", "… یم", "… እየ" follow: «من X هستم».
SELF_PRONOUNS = frozenset(key(w) for w in ("من", "زه", "ኣነ", "man", "ma", "ane", "aniga", "ze", "za"))
# Fillers that may stand between an opening relation word and the name (a possessive, an
# adjective: «الوصي تبعنا …», «برادر کلانم …», «معلم ما …»), unlike "wuxuu", "är", "هو".
OPEN_FILLERS = frozenset(
    key(w)
    for w in (
        *("تبعي", "تبعنا", "تبعتي", "تبعتنا", "تبعو", "الكبير", "الصغير", "الكبيرة", "الصغيرة"),
        *("الكبرى", "الصغرى", "کلانم", "خوردم", "کوچکم", "بزرگم", "ما", "من", "زما", "مې"),
        *("yar", "weyn", "ዓባይ", "ንእሽቶ", "kayga", "dayda", "sayga"),
    )
)
# "from" after a name: «X هستم از هرات», «أنا X من حلب», «X یم له کندهار», «X እየ ካብ …»
FROM = frozenset(key(w) for w in ("از", "من", "له", "ካብ", "from", "ka", "az"))
# "with" before the first of two names: «با X و …», «مع X و …», «ምስ X …»
WITH = frozenset(key(w) for w in ("با", "مع", "ምስ", "with"))
# "… here" opening a message: «X هون، …»
HERE = frozenset(fold_str(w) for w in ("هنا", "هون"))
# Somali "I am …": an unknown lower-case word after it is a name.
OPEN_SELF = frozenset(fold_str(w) for w in ("waxaan ahay", "aniga waxaan ahay"))
# Arabic "I am …": a name only where a new clause («وعمري …») or the end follows it.
SELF_ARABIC = frozenset(fold_str(w) for w in ("انا", "أنا"))


def open_somali_relation(context: str) -> bool:
    """Does the folded context `context`, a Somali relation word, open the next
    lower-case word to unknown names?"""
    return _SOMALI_RELATION.fullmatch(context) is not None and _OPEN_LATIN.fullmatch(context) is not None


def follows_name(k: str) -> bool:
    """Can the word with key `k` follow a name that a relation word introduced? The
    ordinary words that follow a relation word follow its name too («صديقي X قال»,
    «برادرم X در …», «ሓወይ X ኣብ …»), and so do «بال…» and «و…» («X بالمدرسة», «X وانا»)."""
    if k in _OBJECT_MARKERS:
        return False  # «برادرم فوتبال را …»: «را» follows an object
    return k in _COMMON or k in _STOP or (k.startswith(("بال", "و", "ب")) and len(k) >= 4)


def open_name(k: str) -> bool:
    """Is the word with key `k`, right after an opening relation word, a name?"""
    if k.startswith("و") and (k[1:] in _COMMON or _COMMON_SHAPE.search(k[1:]) or k[1:] in _STOP):
        return False  # «وعمري», «والمدرسة»: "and …"
    return len(k) >= 2 and k not in _COMMON and not _COMMON_SHAPE.search(k)
