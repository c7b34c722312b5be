"""Words around another person's name, in the eight languages: relation words and titles
that introduce a name ("min kompis …", "صديقي …", "ዓርከይ …"), phrases that say a name
follows ("his name is …", "اسمه …"), "I am …" / "… here" forms, and sign-offs.

Each entry is a regular expression over folded text (`textfold`): lower case, no
accents, Arabic/Persian letter variants merged (ی/ي → ي, ک/ك → ک, ة → ه). Plain words
are written as they are; the patterns are folded before compiling.
"""

from __future__ import annotations

# A relation word or title before the name: "min bror Mahmoud", "با برادرم محمود".
RELATIONS: dict[str, tuple[str, ...]] = {
    "sv": (
        r"kompis(?:en|ar|arna)?",
        r"klasskompis(?:en)?",
        r"rumskompis(?:en)?",
        r"bästis(?:en)?",
        r"vän(?:nen|ner|nerna)?",
        r"väninna(?:n)?",
        r"flickvän(?:nen)?",
        r"pojkvän(?:nen)?",
        r"bror|brodern|brorsan|brorsa|lillebror|storebror|bröder(?:na)?",
        r"syster|systern|syrran|syrra|lillasyster|storasyster|systrar(?:na)?",
        r"mamma|mamman|morsan|mor|modern|pappa|pappan|farsan|far|fadern",
        r"farbror|morbror|faster|moster|farmor|mormor|farfar|morfar|kusin(?:en)?",
        r"lärare(?:n)?|lärarinna(?:n)?|mentor(?:n)?|rektor(?:n)?|kurator(?:n)?|tränare(?:n)?",
        r"studievägledare(?:n)?|syv|handledare(?:n)?|studiehandledare(?:n)?|modersmålslärare(?:n)?",
        r"handläggare(?:n)?|socialsekreterare(?:n)?|socialarbetare(?:n)?|socialsekreteraren",
        r"gode? man|goda mannen|gode mannen|godman|förmyndare(?:n)?|vårdnadshavare(?:n)?",
        r"kontaktperson(?:en)?|stödperson(?:en)?|personal(?:en)?|boendepersonal(?:en)?",
        r"familjehemsmamma(?:n)?|familjehemspappa(?:n)?|fostermamma|fosterpappa|bonusmamma|bonuspappa",
        r"chef(?:en)?|doktor(?:n)?|läkare(?:n)?|sjuksköterska(?:n)?|tandläkare(?:n)?|psykolog(?:en)?",
        r"granne(?:n)?|grannar(?:na)?|tolk(?:en)?|advokat(?:en)?|jurist(?:en)?|fritidsledare(?:n)?",
        r"ungdomsledare(?:n)?|ledare(?:n)?|sambo|fästmö|fästman|hälsningar från|hälsningar",
        r"tack till|träffade|pratade med|prata med|fråga|ring",
    ),
    "en": (
        r"friends?|best friend|bestie|girlfriend|boyfriend|classmate|roommate|flatmate",
        r"brother|bro|sister|sis|mum|mom|mother|mama|dad|father|papa|parents",
        r"uncle|aunt|auntie|cousin|grandma|grandmother|grandpa|grandfather|nephew|niece",
        r"teacher|mentor|principal|headteacher|counsell?or|coach|trainer|tutor",
        r"social worker|caseworker|case worker|case officer|case handler|handläggare",
        r"guardian|legal guardian|god man|good man|contact person|support person",
        r"foster (?:mother|father|mum|mom|dad|parents?|family)|staff member|staff|youth worker",
        r"doctor|nurse|dentist|psychologist|boss|manager|supervisor|leader",
        r"neighbou?r|lawyer|interpreter|thanks to|greetings from|met|talked to|ask|call",
    ),
    "ar": (
        r"(?:و)?(?:ال)?(?:صديق|صاحب|زميل|جار|معلم|مدرس|استاذ|مدرب|مشرف|مرشد|موظف|طبيب|دكتور|مدير|مسوول)"
        r"(?:ه|تي|ي|نا|تنا|ها|تها|ه)?",
        r"(?:و)?(?:اخي|اختي|اخوي|اخويا|امي|ماما|ابي|بابا|ابوي|والدي|والدتي|عمي|عمتي|خالي|خالتي)",
        r"(?:ابن|بنت) (?:عمي|خالي|عمتي|خالتي)|جدي|جدتي|زوجي|زوجتي|خطيبي|خطيبتي",
        r"(?:ال)?(?:اخصايي|اخصاييه) (?:ال)?اجتماعي(?:ه)?|(?:ال)?وصي|(?:ال)?محامي(?:ه)?|(?:ال)?مترجم(?:ه)?",
        r"مع تحياتي|تحياتي|تكلمت مع|(?:ال)?دکتور(?:ه)?",
    ),
    "fa_AF": (
        r"(?:دوست|رفيق|برادر|خواهر|مادر|پدر|کاکا|کاکاي|ماما|مامای|خاله|عمه|معلم|استاد|مدير|مسوول|مسئول"
        r"|کارمند|سرپرست|قيم|داکتر|دکتر|همسايه|همصنفي|همکار|شوهر|نامزد|وکيل|ترجمان|مربي|کوچ"
        r"|پسر کاکا|دختر کاکا|پسر ماما|دختر ماما|پسر خاله|کارمند سوسيال|سوسيال)"
        r"(?:\u200c?(?:ام|يم|م|ما|مان|ش|ت))?",
        r"گود ?من",
    ),
    "ps": (
        r"(?:ملګري|ملگري|ورور|وروڼه|خور|مور|پلار|تره|ماما|ښوونکي|ښوونکې|استاد|معلم|ډاکټر|ګاونډي"
        r"|سرپرست|مسوول|مسؤل|زوي|لور|ښځه|ميړه|د تره زوي|د ماما زوي|کاکا|ترور)",
        r"ګود ?من",
    ),
    "so": (
        r"walaal\w*|walaash\w*|saaxiib\w*|macal+i[mn]\w*|hooya\w*|aab+a\w*|adeer\w*|ina[- ]?adeer\w*",
        r"ina[- ]?abti\w*|abti\w*|eedo\w*|habaryar\w*|dhakhtar\w*|ustaad\w*|la[- ]?taliy\w*",
        r"shaqaala\w*(?: bulshada)?|tababar\w*|maamul\w*|deris\w*|wakiil\w*|turjubaan\w*",
        r"god[- ]?man\w*|la hadlay",
    ),
    "ti": (
        r"ሓወ(?:ይ|ና|ኻ|ኡ)?|ሓፍተ(?:ይ|ና|ኻ|ኡ)|ሓፍቲ|ኣደ(?:ይ|ና)|ኣቦ(?:ይ|ና)|ዓርከ(?:ይ|ና)|ዓርኪ|መሓዛ(?:ይ|ና)?",
        r"መምህ(?:ረይ|ርተይ|ርና|ር|ርቲ)|ኣኮ(?:ይ)?|ኣሞ(?:ይ)?|ሓትነ(?:ይ)?|ወዲ ሓወቦ(?:ይ)?|ጓል ሓወቦ(?:ይ)?",
        r"ወዲ ሓትነ(?:ይ)?|(?:ማሕበራዊ )?ሰራሕተኛ(?:ይ|ና)?|ሓኪም|ዶክተር|ኣሰልጣኒ|ጎረቤ(?:ት|ተይ)|ሓላፊ",
        r"ተሓጋጋዚ|ሰበይተይ|ሰብኣየይ|ጎድ ማን|ዶክተር",
    ),
    "uk": (
        r"друг\w*|подруг\w*|брат\w*|сестр\w*|мам\w*|тат\w*|батьк\w*|матір\w*|мати",
        r"вчител\w*|учител\w*|викладач\w*|опікун\w*|куратор\w*|тренер\w*|лікар\w*|сусід\w*",
        r"дядьк\w*|дядько|тітк\w*|бабус\w*|дідус\w*|однокласни\w*|соцпрацівни\w*|працівни\w*",
        r"керівни\w*|директор\w*|юрист\w*|адвокат\w*|перекладач\w*|наставни\w*|кузен\w*",
        r"кузин\w*|ми з|доктор\w*",
    ),
}

# Honorifics: the next word is a name in any script ("آقای پیتر", "Mr Nilsson", "ኣቶ ..").
TITLES: tuple[str, ...] = (
    r"mr\.?|mrs\.?|ms\.?|miss|dr\.?|herr|fru|fröken|pan|пан|пані|пане|д-р",
    r"اقاي|خانم|السيد|السيده|الانسه|الاستاذ|الاستاذه|ښاغلي|اغلې|mudane|marwo",
    r"ኣቶ|ወ/ሮ|ወይዘሮ|ወ/ት|ዶ/ር|sayed",
)

# Phrases that say a name follows, whoever's it is: "his name is", "som heter", "اسمه".
NAMING: tuple[str, ...] = (
    r"heter|kallas|kallad|som heter|hans namn är|hennes namn är",
    r"name is|name's|names|named|is called|called|goes by",
    r"اسمه|اسمها|يدعي|تدعي|ويدعي|وتدعي|اسمو",
    r"نامش|اسمش|نام او|اسم او|(?:اسم|نام) (?:دوست|برادر|خواهر|مادر|پدر|معلم|کاکا)\w*",
    r"نوم يې|نوم يي|د هغه نوم|د هغې نوم|د (?:ملګري|ورور|خور|کاکا|تره|مور|پلار)\w* نوم",
    r"magaciisu waa|magaceedu waa|magaciisa waa|magaceeda waa|magaciisu|magaceedu",
    r"ስሙ|ስማ|ስሞም|ዝበሃል",
    r"його звати|її звати|його звуть|її звуть|звати|звуть|на ім'я",
    r"esmo|esmaha|esmah|ismuhu|naamesh|namesh",
)

# Phrases after which the writer's own name stands, in any script, in transliteration
# too ("ma naam karim ast", "zama noom …"), that `lexicon.INTRODUCTIONS` lacks.
TRANSLITERATED_INTRODUCTIONS: tuple[str, ...] = (
    "ma naam",
    "mera naam",
    "naam e man",
    "nam e man",
    "name man",
    "esme man",
    "esmam",
    "ismi",
    "esmi",
    "ana esmi",
    "ana ismi",
    "zama noom",
    "zma noom",
    "zama num",
    "zama nom",
    "noom me",
    "shimey",
    "smey",
    "mene zvaty",
    "magacaygu",
)

# The writer about themself, name after: "I am Senait", "я Оксана", "انا يوسف".
SELF_BEFORE_NAME: tuple[str, ...] = (
    r"i am|i'm|im|jag är|jag e|я|it's me|it is me|هذا انا|انا|ana|ane|ኣነ|زه|man",
    r"aniga waxaan ahay|waxaan ahay|aniga",
)
# Demonstrative forms, lexicon names only: "det är Yonas", "this is Yonas", "це Тарас".
THIS_IS: tuple[str, ...] = (r"det är|det e|this is|it's|it is|це|ini|waa", r"هذا|هذه|این|دا")

# The writer about themself, name before: "Karim här!", "احمد هستم", "ሰናይት እየ".
NAME_BEFORE: tuple[str, ...] = (
    r"här|here|halkan|هنا|هستم|استم|هستوم|یم|يم|ام|اوم|እየ|ኢየ|baan ahay|ayaan ahay|ahay",
    r"hastam|hastom|astam|yam|eye|iye",
)
# A name stands before these: "Hassan nomegam", "يوهانا نام دارد", "ሄኖክ ይበሃል".
NAMED_BEFORE: tuple[str, ...] = (r"نام دارد|نام داره|نوميږي|نوميږي|ይበሃል|ትበሃል|zovut",)

# Sign-offs: a name after them, or the last words of the message.
SIGN_OFFS: tuple[str, ...] = (
    r"mvh|med vänlig hälsning|vänliga hälsningar|hälsningar|hälsning|kram|/",
    r"best wishes|best regards|kind regards|regards|cheers|thanks|thank you|love from",
    r"مع تحياتي|تحياتي|شكرا|مع الشکر|با احترام|تشکر|با تشکر|مننه|ستاسو ملګري",
    r"mahadsanid|ምስ ሰላምታ|የቐንየለይ|з повагою|дякую|до зустрічі",
)

# Words that join two names: "Dawit och Senait", "عبدالله و حمزة".
AND: tuple[str, ...] = ("och", "o", "and", "&", "و", "او", "iyo", "і", "та", "й", "ን", "ከምኡ ውን")

# Words a name context may skip before the name: "min lärare är Sara", "معلم ما خانم سارا".
FILLERS: tuple[str, ...] = (
    "är",
    "e",
    "is",
    "was",
    "waa",
    "هو",
    "هي",
    "ما",
    "من",
    "مې",
    "زما",
    "ናተይ",
    "є",
    "—",
    "-",
    "kayga",
    "kayga waa",
    "kaygu waa",
    "dayda",
    "sayga",
    "waxay",
    "wuxuu",
)

# Capitalised words that are not names: after "min kompis", before "här".
NOT_NAMES: tuple[str, ...] = (
    # places and countries
    "sverige",
    "sweden",
    "malmö",
    "stockholm",
    "göteborg",
    "gothenburg",
    "uppsala",
    "lund",
    "kabul",
    "afghanistan",
    "syrien",
    "syria",
    "irak",
    "iraq",
    "iran",
    "somalia",
    "eritrea",
    "etiopien",
    "ethiopia",
    "ukraina",
    "ukraine",
    "turkiet",
    "turkey",
    "grekland",
    "greece",
    "tyskland",
    "germany",
    "norge",
    "norway",
    "danmark",
    "denmark",
    "europa",
    "europe",
    "kenya",
    "sudan",
    "libyen",
    "libya",
    "italien",
    "italy",
    "polen",
    "poland",
    "rosengård",
    "kista",
    "rinkeby",
    "angered",
    "herat",
    "kandahar",
    "mazar",
    "aleppo",
    "damaskus",
    "damascus",
    "mogadishu",
    "muqdisho",
    "hargeysa",
    "asmara",
    "kyiv",
    "kiev",
    "kharkiv",
    "odessa",
    "lviv",
    # languages, nationalities, religions
    "svenska",
    "swedish",
    "engelska",
    "english",
    "arabiska",
    "arabic",
    "dari",
    "pashto",
    "persian",
    "persiska",
    "somaliska",
    "tigrinja",
    "tigrinya",
    "ukrainska",
    "ukrainian",
    "afghan",
    "afghansk",
    "syrisk",
    "somalisk",
    "eritreansk",
    "muslim",
    "christian",
    "kristen",
    "muslimsk",
    "sunni",
    "shia",
    "hazara",
    "pashtun",
    # days and months
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
    "january",
    "february",
    "march",
    "june",
    "july",
    "august",
    "october",
    # organisations and things written with a capital
    "migrationsverket",
    "socialtjänsten",
    "socialen",
    "kommunen",
    "skatteverket",
    "bris",
    "röda",
    "korset",
    "rädda",
    "barnen",
    "sfi",
    "lma",
    "bankid",
    "eid",
    "ramadan",
    "nowruz",
    "god",
    "gud",
    "allah",
    "jesus",
    "instagram",
    "tiktok",
    "snapchat",
    "telegram",
    "whatsapp",
    "facebook",
    "google",
    "youtube",
    "discord",
    "ok",
    "okej",
    "hej",
    "hi",
    "hello",
    "tack",
)
