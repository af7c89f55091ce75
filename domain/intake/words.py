"""The words intake looks for, in English, Russian and Arabic: the services, what a follow-up or a move
sounds like, party sizes, currencies and budgets."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    CHAUFFEUR = "chauffeur"
    DINING = "dining"
    HOTEL = "hotel"
    AVIATION = "aviation"
    EVENTS = "events"
    SHOPPING = "shopping"
    SECURITY = "security"
    WELLNESS = "wellness"
    TOURS = "tours"
    OTHER = "other"


# Words of each service: a whole word (with its usual endings), or a stem ending in '*'. Each hit counts its
# weight; the category with the most wins, a tie going to the first listed. Context words weigh less than
# what is asked for: "a table at the restaurant of my hotel" is dining, "meet my guest at the airport when his
# flight lands" a transfer.
def _weighted(weight: float, words: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    return tuple((word, weight) for word in words)


KEYWORDS: dict[Category, tuple[tuple[str, float], ...]] = {
    # services we do not list by kind: named, they are what is asked ("a translator for the meeting at the
    # restaurant" is not dining)
    Category.OTHER: (
        *_weighted(2.0, (
            "translator*", "violinist*", "musician*", "singer*", "band", "dj", "скрипач*", "музыкант*",
            "مصور فوتوغرافي", "عازف*", "translate*", "interpret*", "guide-interpreter", "photo shoot",
            "photoshoot", "photosession", "driver license", "sim card", "esim", "переведи*", "перевест*",
            "фотосесси*", "сим-карт*", "симк*", "يترجم", "ترجمه", "مترجمه", "تصوير", "شريحه", "interpreter*",
            "photographer*", "videographer*", "nanny", "babysitter*", "lawyer*", "sim", "local sim", "notary",
            "visa", "переводчик*", "фотограф*", "видеограф*", "нян*", "юрист*", "нотариус*", "виза", "визу",
            "визы", "مترجم", "مصور", "مربيه", "محامي", "تاشيره", "فيزا",
        )),
    ),
    Category.AVIATION: (
        *_weighted(2.0, (
            "private jet", "jet", "charter*", "helicopter*", "rotors", "chopper", "вертушк*", "fly to",
            "private flight", "джет", "частный самолет", "чартер*", "вертолет*", "перелет*", "бизнес-джет",
            "طائره خاصه", "طياره خاصه", "هليكوبتر", "مروحيه", "تشارتر", "رحله جويه", "flight to",
            "flight tickets", "plane tickets", "билеты на самолет", "تذاكر طيران", "تذكره طيران",
            "تذاكر طياره", "flights to", "business class", "business seats", "economy seats", "seats on",
            "first class", "emirates", "qatar airways", "etihad", "aeroflot", "flydubai", "turkish airlines",
            "saudia", "heli", "helis", "борт", "борта", "бортом", "частный борт", "аэрофлот*",
            "бизнес-класс*", "бизнес класс*", "авиабилет*", "درجه رجال الاعمال", "درجه اولى", "الاماراتيه",
            "القطريه", "طيران الامارات",
        )),
        *_weighted(0.5, (
            "flight", "plane", "airplane", "самолет*", "рейс*", "طائره", "طياره", "طيران",
        )),
    ),
    Category.SECURITY: (
        *_weighted(2.0, (
            "bodyguard*", "security guy*", "حراس", "pair of eyes", "eyes on", "keep an eye on", "watch over",
            "big guys", "stand by the door", "stand guard", "watch the door", "public figure", "security",
            "guard*", "protection", "охран*", "телохранител*", "секьюрити", "حارس", "حراسه", "حمايه", "امن",
            "بودي غارد",
        )),
    ),
    Category.WELLNESS: (
        *_weighted(2.0, (
            "spa", "massage*", "nail*", "manicure*", "pedi", "pedicure*", "makeup", "make-up",
            "makeup artist", "hair stylist", "hairstylist", "stylist", "blow dry", "blowout", "facial",
            "beauty", "salon", "ibuprofen", "paracetamol", "painkiller*", "aspirin", "throat spray", "syrup",
            "antibiotic*", "first aid", "медсестр*", "укол*", "капельниц*", "ممرض*", "ممرضه", "الابره",
            "ابره", "iv drip", "drip", "injection", "маникюр*", "педикюр*", "ногти", "визажист*", "стилист*",
            "косметолог*", "укладк*", "ибупрофен*", "парацетамол*", "обезболивающ*", "كوافير*", "كوافيره",
            "ميك اب", "مكياج", "مانيكير", "باديكير", "اظافر", "صالون تجميل", "بنادول", "مسكن", "شراب كحه",
            "doctor*", "clinic*", "dentist*", "hospital*", "pharmac*", "medical", "medicine*", "physician",
            "nurse", "sauna", "banya", "hammam", "спа", "массаж*", "врач*", "доктор*", "клиник*",
            "стоматолог*", "больниц*", "аптек*", "лекарств*", "медицин*", "баня", "баню", "бани", "сауна*",
            "سبا", "مساج", "تدليك", "طبيب", "دكتور", "عياده", "مستشفى", "صيدليه", "طبي", "دواء", "ادويه",
            "حمام مغربي", "хаммам*", "тренировк*", "training session", "номер в бане", "бане", "нурофен*",
            "nurofen", "панадол*", "panadol", "حمام تركي", "gym", "fitness", "personal trainer", "trainer",
            "yoga", "pilates", "workout", "physio*", "manicure", "pedicure", "hairdresser", "barber",
            "masseuse", "masseur", "фитнес*", "спортзал*", "тренажер*", "тренер*", "йог*", "пилатес*",
            "парикмахер*", "барбер*", "массажист*", "جيم", "نادي رياضي", "مدرب", "يوغا", "مساجيست", "حلاق",
            "صالون", "مستوصف", "فارمسي", "beard*", "shave", "haircut*", "hair", "trim", "barbershop*",
            "grooming", "борода", "бороду", "бород*", "побрить*", "стрижк*", "подстричь*", "لحيه", "لحيتي",
            "دقن", "حلاقه", "دوا",
        )),
        *_weighted(1.0, (  # what ails them: with nothing else asked, a doctor or a pharmacy is
            "fever", "headache", "migraine", "toothache", "sore throat", "температур*", "жар", "мигрен*",
            "حراره", "صداع", "سخونه",
        )),
    ),
    Category.HOTEL: (
        *_weighted(2.0, (
            "suite", "room for", "a room", "room at", "room with", "rooms", "check-in", "check in",
            "check-out", "late checkout", "late check out", "late check-out", "check out late",
            "поздний выезд", "номер с видом", "stay at", "extend my stay", "my stay", "nights at",
            "apartment*", "номера", "номер в отеле", "забронируйте номер", "номер в", "номер на", "люкс",
            "заселен*", "выселен*", "проживани*", "апартамент*", "переночевать", "جناح", "غرفه", "اقامه",
            "ليلتين", "ليالي", "شقه",
        )),
        *_weighted(1.0, (
            "hotel", "отел*", "гостиниц*", "فندق",
        )),
    ),
    Category.DINING: (
        *_weighted(1.0, (
            "table", "italian", "georgian", "uzbek", "japanese", "chinese", "lebanese", "indian", "turkish",
            "russian food", "french", "steak", "fish", "place for", "spot", "somewhere for", "грузинск*",
            "узбекск*", "итальянск*", "японск*", "ливанск*", "турецк*", "لبناني", "تركي", "ايطالي", "ياباني",
            "هندي", "مغربي",
        )),  # a kind of food or place: with "place", "spot", "restaurant" around it
        *_weighted(2.0, (
            "restaurant*", "table for", "a table", "table at", "dinner", "lunch", "breakfast", "brunch",
            "reservation at", "cafe", "café", "eat", "chef", "catering", "menu", "ресторан*", "столик*",
            "ужин*", "обед*", "завтрак*", "кафе", "поесть", "поужинать", "пообедать", "кейтеринг",
            "шеф-повар", "مطعم", "مطاعم", "طاوله", "عشاء", "غداء", "فطور", "افطار", "عزومه", "شيف", "حلال",
            "sushi", "cake*", "торт*", "кейк*", "كيك*", "كيكه", "تورته", "omakase", "tasting menu",
            "chef's table", "grill", "barbecue", "bbq", "kebab*", "dumplings", "room service",
            "in-room dining", "takeaway", "delivery from", "ресторанчик*", "доставк* еды", "шашлык*", "مشاوي",
            "مشويات", "مندي", "كبسه", "برياني", "steakhouse", "steak*", "seafood", "shawarma", "plov",
            "dim sum", "pizza*", "burger*", "rooftop", "a bite", "somewhere to eat", "place to eat", "суши",
            "стейк*", "морепродукт*", "шаурм*", "плов*", "пиццер*", "شاورما", "سوشي", "ستيك", "عشا", "الغدا",
            "ريوق", "كوفي", "food", "еду", "еда", "اكل", "اكله",
        )),
    ),
    Category.EVENTS: (
        *_weighted(2.0, (
            "ticket*", "tickets", "tix", "box at", "vip box", "club", "clubs", "nightclub*", "клуб", "клубе",
            "клуба", "клубу", "ночной клуб", "كلوب", "الكلوب", "نادي ليلي", "ملهى", "table at a club",
            "a table at a club", "table at the club", "a table at the club", "table in a club",
            "a table in a club", "vip table", "столик в клубе", "стол в клубе", "طاوله في كلوب",
            "طاوله في الكلوب", "cska", "spartak", "zenit", "dynamo", "lokomotiv", "цска", "спартак*",
            "зенит*", "динамо", "локомотив*", "stand-up", "standup", "gig", "места в", "ложу", "ложа",
            "стендап", "concert*", "opera", "ballet", "theatre", "theater", "match", "football", "hockey",
            "show", "circus", "performance", "exhibition", "билет*", "концерт*", "опер*", "балет*", "театр*",
            "матч*", "футбол*", "хокке*", "шоу", "цирк*", "спектакл*", "выставк*", "تذكره", "تذاكر",
            "تذكرتين", "تذكرتان", "حفله", "حفل", "اوبرا", "باليه", "مسرح", "مباراه", "كره القدم", "سيرك",
            "معرض", "تكت", "تكتات", "swan lake", "nutcracker", "лебединое озеро", "щелкунчик*",
        )),
        *_weighted(1.0, (
            "seats",
        )),
    ),
    Category.SHOPPING: (
        *_weighted(2.0, (
            "shopping", "shop*", "gift*", "pram", "stroller", "nappies", "diapers", "коляск*", "подгузник*",
            "حفاضات", "стилист-шопер", "шопер*", "шоппер*", "balloon*", "souvenir*", "handbag*", "tailor*",
            "портн*", "خياط", "hem", "alteration*", "altered", "take in", "taken in", "taking in", "подшить",
            "ушить", "подогнать", "تقصير", "help me pick", "help me choose", "something for her",
            "something for him", "шарик*", "сувенир*", "сумк*", "بالون*", "بالونات", "هدايا", "flower*",
            "roses", "rose bouquet", "розы", "роз", "розами", "bouquet*", "boutique*", "jewel*", "perfume*",
            "шопинг*", "подар*", "цвет*", "букет*", "бутик*", "ювелир*", "духи", "парфюм*", "تسوق", "هديه",
            "زهور", "ورد", "باقه", "بوتيك", "مجوهرات", "عطر", "عطور",
        )),
        *_weighted(1.0, (
            "buy", "купить", "купите", "شراء", "اشتري",
        )),
    ),
    Category.TOURS: (
        *_weighted(2.0, (
            "tour", "touring", "guide*", "show us", "show me", "show my", "show our", "show them", "show him",
            "show her", "take us round", "take us around", "show us around", "explain the",
            "провести экскурсию", "excursion*", "sightseeing", "museum*", "museum tickets",
            "tickets to the museum", "билеты в музей", "تذاكر لمتحف", "تذاكر متحف", "تذاكر المتحف", "yacht*",
            "катер*", "лодк*", "boat trip", "speedboat", "cruise*", "boat*", "river trip", "walking",
            "gallery", "экскурси*", "гид*", "тур", "туры", "музе*", "яхт*", "круиз*", "теплоход*", "прогулк*",
            "по реке", "галере*", "جوله", "جولات", "مرشد", "دليل سياحي", "متحف", "متاحف", "يخت", "رحله نهريه",
            "قارب", "رحله سياحيه", "نزهه",
        )),
    ),
    Category.CHAUFFEUR: (
        *_weighted(2.0, (
            "car", "chauffeur*", "driver*", "transfer*", "limo*", "mercedes", "maybach", "s-class",
            "pick me up", "pick us up", "pickup", "collect me", "collect us", "collect my", "collect our",
            "collect him", "collect her", "collect them", "taxi", "van", "meet my", "meet me", "meet our",
            "meet him", "meet her", "meet them", "машин*", "водител*", "трансфер*", "шофер*", "лимузин*",
            "мерседес*", "майбах*", "такси", "встрет*", "встретите", "встреча в аэропорту", "забрать",
            "заберите", "отвезти", "отвезите", "سياره", "سائق", "مرسيدس", "ليموزين", "توصيل", "تاكسي",
            "مايباخ", "استقبال", "استقبل", "توصيله", "take me", "wheels", "a ride", "vehicle", "suv",
            "innova", "land cruiser", "send the car", "send a car", "the car back", "minivan", "sprinter",
            "v-class", "escalade", "машину", "минивэн*", "вэн", "سياره كبيره", "سيارتين", "سيارات", "فان",
            "جمس", "يجيبني", "يجيبنا", "take us", "drive me", "drive us", "drop me", "drop us", "ride to",
            "get me to", "get us to", "отвез*", "довез*", "подвез*", "отвези", "свози*", "доставьте меня",
            "водилу", "وديني", "ودني", "ودينا", "يوديني", "يودينا", "وصلني", "وصلنا", "يوصلني", "يوصلنا",
            "خذني", "خذنا", "ياخذني", "سواق", "دريول", "تكسي", "اوبر",
        )),
        *_weighted(1.0, (  # "pick up a dozen roses on the way" asks for roses
            "airport", "аэропорт*", "مطار", "pick up",
        )),
    ),
}  # fmt: skip

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "двоих": 2,
    "троих": 3,
    "четверых": 4,
    "пятерых": 5,
    "шестерых": 6,
    "двух": 2,
    "трех": 3,
    "трёх": 3,
    "четырех": 4,
    "четырёх": 4,
    "شخصين": 2,
    "двое": 2,
    "трое": 3,
    "четверо": 4,
    "пятеро": 5,
    "шестеро": 6,
    "семеро": 7,
    "اثنين": 2,
    "اثنان": 2,
    "ثلاثه": 3,
    "اربعه": 4,
    "خمسه": 5,
    "سته": 6,
    "سبعه": 7,
}

CURRENCIES = (
    ("RUB", ("₽", "rub", "руб", "рублей", "roubles", "rubles", "روبل")),
    ("USD", ("$", "usd", "dollars", "долларов", "доллар", "دولار")),
    ("EUR", ("€", "eur", "euro", "евро", "يورو")),
    ("AED", ("aed", "dirham", "дирхам", "درهم")),
)
BUDGET_CUE = ("budget", "up to", "no more than", "бюджет", "до ", "не дороже", "ميزانية", "بميزانية", "حتى")

# what a follow-up about the open request sounds like: "also" (or "too") and questions that ask for nothing
ALSO = ("also", "too", "as well", "ещё", "еще", "тоже", "также", "кроме того", "ايضا", "كمان", "برضو")
QUESTION_START = (
    "is there", "are there", "is it", "is the", "are the", "does the", "are they", "do they", "does it",
    "do you know", "will", "what", "where", "how", "which", "do you", "есть ли", "а есть", "там есть",
    "будет ли", "где", "как", "какой", "какая", "сколько", "هل", "وهل", "وش", "ايش", "شو", "شلون", "شلونك",
    "شلونكم", "كيفك", "كيف حالك", "فيه", "يوجد", "وين", "اين", "كيف", "كم",
)  # fmt: skip
# a question about what can be had asks for it ("do you have a driver available?")
AVAILABILITY = (
    "do you have", "have you got", "do they have", "have they got", "how about", "what about", "как насчет",
    "available", "availability", "any chance", "doable", "possible", "реально", "возможно", "فيه احد",
    "فيه حد", "у вас есть", "есть ли у вас", "свободн*", "найдется", "найдётся", "عندكم", "لديكم", "متاح*",
    "متوفر*",
)  # fmt: skip
# the things an open request is about, named again in a follow-up ("flowers on the table")
REFERENCES: dict[Category, tuple[str, ...]] = {
    Category.DINING: ("table", "стол", "طاوله"),
    Category.HOTEL: ("room", "номер", "غرفه"),
    Category.CHAUFFEUR: ("car", "машин*", "سياره"),
    Category.EVENTS: ("seat", "места", "место", "مقاعد", "مقعد"),
}
# a new day or time for what is already asked: "can we do the 5th?", "перенесите на пятницу", "خليها بكره"
RESCHEDULE = (
    "can we do", "could we do", "can it be", "could it be", "can we make it", "could we make it", "let's do",
    "lets do", "let's make it", "move it", "can we move", "could we move", "move the", "move our", "move my",
    "reschedule*", "push it", "move them", "move it to", "move that", "be moved", "moved to", "перенести",
    "can we push", "could we push", "push back", "push the", "push our", "push my", "change it to",
    "change the time", "make it", "instead of", "можно перенести", "перенес*", "перенос*", "переносим",
    "давайте на", "а можно на", "ممكن نخليها", "ممكن نخلي", "خليها", "نخليها", "نخلي", "خلها", "خله", "غيرها",
    "نغيرها", "نغير موعد", "نأجل", "نقدم", "تأجيل", "خلوه", "خلوها", "غيروه", "غيروها",
)  # fmt: skip
