"""Reading a client's words: one normal form for matching (letter case, Arabic diacritics and letter variants,
ё, Arabic-Indic digits), whole words and real stems instead of any prefix, small talk, and the cues that say
the client is asking for something."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from domain.intake.time_words import DAYS, PARTS, WEEKDAYS

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # diacritics, tatweel
# one alef, ya and ta marbuta; Arabic punctuation as Latin, so a word before "؟" ends there
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
     "؟": "?", "،": ",", "؛": ";"}
)  # fmt: skip
ARABIC = "\u0600-\u06ff"


def arabic_form(regex: str) -> str:
    """A regex written with the usual Arabic letters (على, الى, مكتبة), in the letters normalize leaves."""
    return regex.translate(_ARABIC_LETTERS)


def blank(text: str, start: int, end: int) -> str:
    """The text with a stretch of it made spaces: no longer read, and every other place where it was."""
    return text[:start] + " " * (end - start) + text[end:]


def re_compile(regex: str) -> re.Pattern[str]:
    return re.compile(arabic_form(regex))


def normalize(text: str) -> str:
    """Lowercase; Arabic without diacritics or tatweel and with one alef, ya and ta marbuta; ё as е; digits
    in ASCII. Keywords go through the same function, so both sides meet in one form."""
    text = text.translate(DIGITS).lower().replace("ё", "е")
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


# Arabic attaches conjunctions, prepositions and the article before a word (_CLITICS) and pronouns after it
_AR_AFTER = "(?:ات|ه|ها|هم|ي|ين|ون|ان|ك|كم|نا|تين|تان)?"


def _ending(word: str, stem: bool) -> str:
    """What may follow a keyword: English plurals, up to two letters of a Russian case ending, Arabic
    pronouns; nothing is checked after a stem."""
    if stem:
        return ""
    if re.search(f"[{ARABIC}]", word):
        return rf"{_AR_AFTER}(?![{ARABIC}])"
    if re.search("[а-я]", word):
        return r"\w{0,2}(?!\w)"
    return r"(?:s|es|'s)?(?!\w)"


@dataclass(frozen=True, slots=True)
class Hit:
    """A keyword found: where it starts (with the Arabic clitics before it) and ends."""

    begin: int
    finish: int
    text: str
    clitic: str = ""  # the Arabic clitics before the word: و، ب، لل ...

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, _: int = 0) -> str:
        return self.text


# the clitics Arabic writes before a word: (و|ف)?(ب|ل|ك)?(ال|لل)?
_CLITICS = tuple(
    sorted({a + b + c for a in ("", "و", "ف") for b in ("", "ب", "ل", "ك") for c in ("", "ال", "لل")})
)
_CLITIC_SET = frozenset(_CLITICS)
_LONGEST_CLITIC = max(map(len, _CLITICS))
_WORD_START = re.compile(r"(?<!\w)\w")


class Lexicon:
    """Keywords found word by word: at each word's start (and after each Arabic clitic there) only the
    keywords that begin with those two letters are tried, longest first. The same matches as one
    alternation of every keyword's regex, without trying every keyword at every letter."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self._by_start: dict[str, list[re.Pattern[str]]] = {}
        spelled = []
        for word in words:
            stem = word.endswith("*")
            body = normalize(word.rstrip("*"))
            spelled.append(
                (body, re.compile(r"\s+".join(map(re.escape, body.split())) + _ending(body, stem)))
            )
        for body, regex in sorted(spelled, key=lambda pair: len(pair[0]), reverse=True):
            self._by_start.setdefault(body[:2], []).append(regex)

    def _at(self, text: str, start: int) -> Hit | None:
        arabic = "\u0600" <= text[start] <= "\u06ff"
        for size in range(_LONGEST_CLITIC + 1 if arabic else 1):
            clitic = text[start : start + size]
            if clitic not in _CLITIC_SET:
                continue
            at = start + size
            for regex in self._by_start.get(text[at : at + 2], ()):
                if found := regex.match(text, at):
                    return Hit(start, found.end(), text[start : found.end()], clitic)
        return None

    def finditer(self, text: str) -> Iterator[Hit]:
        end = 0
        for word in _WORD_START.finditer(text):
            if word.start() >= end and (hit := self._at(text, word.start())) is not None:
                end = hit.finish
                yield hit

    def search(self, text: str) -> Hit | None:
        return next(self.finditer(text), None)

    def findall(self, text: str) -> list[str]:
        return [hit.text for hit in self.finditer(text)]


@cache
def pattern(words: tuple[str, ...]) -> Lexicon:
    return Lexicon(words)


def has(words: tuple[str, ...], normalized: str) -> bool:
    return bool(words) and pattern(words).search(normalized) is not None


SMALL_TALK = (
    # English
    "thanks", "thank you", "thank u", "thx", "ty", "many thanks", "thanks a lot", "yes", "yeah", "yep", "yup",
    "no", "nope", "ok", "okay", "okey", "k", "fine", "good", "great", "perfect", "excellent", "awesome",
    "cool", "so much", "very much", "thank you so much", "thank you very much", "again",
    "nice", "lovely", "wonderful", "sure", "of course", "agreed", "deal", "sounds good", "that works",
    "works for me", "all good", "got it", "noted", "hi", "hello", "hey", "good morning", "good evening",
    "good afternoon", "good night", "bye", "goodbye", "see you", "see you soon", "see you later", "cheers",
    "much appreciated", "appreciate it", "wow", "amazing", "brilliant", "alright", "all right", "please",
    "that's great", "that is great", "you're the best", "you are the best", "no problem", "np", "will do",
    "i see", "understood", "welcome", "ok thanks", "okay thanks", "yes please", "no thanks", "no thank you",
    "thanks again", "have a nice day", "take care", "super", "lol", "haha",
    # Russian
    "спасибо", "спасибо большое", "большое спасибо", "благодарю", "спс", "да", "ага", "угу", "нет", "неа",
    "хорошо", "ок", "окей", "ладно", "отлично", "прекрасно", "замечательно", "супер", "класс", "круто",
    "подходит", "договорились", "понял", "поняла", "понятно", "ясно", "конечно", "согласен", "согласна",
    "привет", "здравствуйте", "добрый день", "добрый вечер", "доброе утро", "спокойной ночи", "пока",
    "до свидания", "до встречи", "всего доброго", "хорошего дня", "идеально", "да подходит", "все хорошо",
    "всё хорошо", "все отлично", "всё отлично", "принято", "пожалуйста", "ок спасибо", "да спасибо",
    "нет спасибо", "отлично спасибо", "чудесно", "великолепно", "здорово",
    # Arabic
    "شكرا", "شكرا لك", "شكرا لكم", "شكرا جزيلا", "مشكور", "مشكورين", "يعطيك العافيه", "نعم", "ايوه", "اي",
    "لا", "حسنا", "تمام", "ممتاز", "رائع", "جميل", "اوكي", "اوك", "طيب", "ماشي", "موافق", "اكيد", "بالتاكيد",
    "مرحبا", "اهلا", "اهلا وسهلا", "السلام عليكم", "وعليكم السلام", "صباح الخير", "مساء الخير", "مع السلامه",
    "الى اللقاء", "في امان الله", "الله يعطيك العافيه", "جزاك الله خيرا", "بارك الله فيك", "تسلم", "تسلمين",
    "الله يسلمك", "كويس", "زين", "ممتاز جدا", "تمام شكرا", "نعم شكرا", "لا شكرا", "فهمت", "واضح", "حاضر",
    "ان شاء الله", "يسلمو", "مشكوره", "تصبح على خير",
)  # fmt: skip
_SMALL_TALK = re.compile(  # the longest phrase first: "thank you so much" before "thank you"
    "|".join(
        rf"(?<!\w){re.escape(p)}(?!\w)"
        for p in sorted({normalize(p) for p in SMALL_TALK}, key=len, reverse=True)
    )
)
_NOT_WORDS = re.compile(r"[^\w\s']+")

REQUEST_CUES = (
    # English
    "book*", "need*", "want*", "would like", "i'd like", "id like", "arrange*", "can you", "could you",
    "can we", "could we", "can i get", "could i get", "please get", "get me", "get us", "find*", "reserve*",
    "reservation*", "order*", "organi*", "send*", "looking for", "we'd like", "i would like", "please book",
    "set up", "plan*", "pick me", "pick us", "pick up", "can someone", "could someone", "meet*", "help me",
    "help us", "buy", "get a",
    "get tickets", "we need", "i need", "request*", "schedule*", "hire*", "rent*",
    "someone who can", "someone to", "somebody to",
    # Russian
    "нужн*", "нужен", "нужна", "надо", "закаж*", "заказа*", "заказ", "хочу", "хотим", "хотел*",
    "забронир*", "бронь", "организ*", "можно", "можете", "могли бы", "найдите", "найти", "подберите",
    "пришлите", "отправьте", "устройте", "помогите", "купите", "купить", "встрет*", "отвез*", "доставь*",
    "достав*", "прошу", "пожалуйста забронируйте", "сделайте", "запиш*", "арендова*", "снять",
    # Arabic
    "اريد", "ابي", "ودوا", "ودو", "ارسلوا", "وصلوا", "جيبوا", "ابغى", "ابغا", "نبي", "نبغى", "بدي", "بدنا",
    "احتاج", "نحتاج", "احجز*", "حجز*", "ممكن",
    "هل يمكن*", "يمكنكم", "رتب*", "ترتيب", "نظم*", "اطلب", "نطلب", "ارسل*", "ابحث", "وفر*", "جهز*",
    "اشتري", "شراء", "استقبال", "استقبل*", "لو سمحت", "من فضلك", "ارجو", "نرجو", "اود", "نود",
)  # fmt: skip


# (Lexicon puts keywords in the normal form itself)
_DAY_WORDS = tuple(w for group in (*(words for _, words in DAYS), *WEEKDAYS) for w in group)
_WHEN_WORDS = (*_DAY_WORDS, *(w for _, words in PARTS for w in words))


def is_small_talk(text: str) -> bool:
    """Thanks, yes or no, a greeting, an emoji: nothing asked for. Short messages made of small-talk
    phrases only (in any case, with or without diacritics, punctuation or emoji)."""
    words = _NOT_WORDS.sub(" ", normalize(text)).split()
    if not words:
        return True  # emoji, punctuation
    if len(words) > 8:
        return False
    left = _SMALL_TALK.sub(" ", " ".join(words)).split()
    # what is left may be a name ("Thanks, Anna"): one word, beside some small talk, that is not a day or an
    # hour ("Yes, tomorrow", "Да, в 8", "No, Saturday" answer a question)
    if len(left) == 1 and (any(c.isdigit() for c in left[0]) or has(_WHEN_WORDS, left[0])):
        return False
    return not left or (len(left) == 1 and len(words) > 1 and not has(REQUEST_CUES, left[0]))


def asks_for_something(text: str) -> bool:
    return has(REQUEST_CUES, normalize(text))


THANKS = ("thank*", "thx", "спасибо", "спс", "благодар*", "شكر*", "مشكور*", "يجزاك", "جزاك", "يعطيك العافيه",
          "يعطيكم العافيه", "تسلم*", "يسلمو")  # fmt: skip
# what a service already given sounds like: "yesterday", "was great", "вчера", "было", "امس", "كان"
PAST = (
    "yesterday", "last night", "earlier", "was", "were", "loved", "enjoyed", "went", "helped",
    "got the", "got it", "received", "checked out", "checked in", "came", "left", "delivered", "получили",
    "доставили", "выехали", "استلمنا", "استلمت", "وصلتني", "وصلتنا",
    "вчера", "вчерашн*", "было", "был", "была", "были", "понравил*", "помог*", "прошл*",
    "امس", "البارحه", "كان", "كانت", "كانو", "استانس*", "عجبن*", "ساعدن*", "صارت", "صار",
)  # fmt: skip
PRAISE = ("fantastic", "amazing", "lovely", "perfect", "wonderful", "brilliant", "superb", "великолеп*",
          "прекрасн*", "супер", "رهيب", "روعه", "خيالي", "ممتاز")  # fmt: skip
YESTERDAY = ("yesterday", "last night", "вчера", "вчерашн*", "امس", "البارحه")
# nothing is wanted: "we don't need anything tonight", "ничего не нужно", "ما نحتاج شي"
NOTHING = ("don't need anything", "do not need anything", "nothing needed", "nothing for now",
           "ничего не нужно", "ничего не надо", "ما نحتاج شي", "ما نبي شي", "ما ابي شي", "ما نحتاج شيء",
           "ما نبغى شي")  # fmt: skip
# news of what already happened, with nothing asked: "landed at SVO, the driver picked us up, all good",
# "уже в отеле", "وصلنا الفندق خلاص"
DONE = ("landed", "arrived", "picked us up", "picked me up", "we're at", "we are at", "all good", "already",
        "уже", "приземлились", "прилетели", "доехали", "заселились", "все ок", "всё ок", "все хорошо",
        "وصلنا", "وصلت", "خلاص", "كل شي تمام")  # fmt: skip
_SAYING = re.compile(
    r"(?<!\w)(?:wanted|want|wanna)\s+to\s+(?:say|thank|tell|let you know)"
    r"|(?<!\w)send\w*\s+(?:their|his|her|my|our|you)?\s*(?:regards|love|greetings)|передают\s+привет"
    r"|хотел\w*\s+(?:сказать|поблагодарить)"
)
_CLAUSE_END = re.compile(r"[,.!?;)\n]")
_THANKS_SPAN_END = r"[^,.!?;)\n]*"
_THANKS_FOR = re.compile(
    r"(?<!\w)(?:thanks|thank you|thank u|thx)(?:\s+(?:so|very)\s+much|\s+a lot)?\s+for(?!\w)"
    r"|(?<!\w)(?:спасибо|благодар\w*)(?:\s+\w+){0,2}\s+за(?!\w)"
    r"|(?<![\u0600-\u06ff])(?:شكرا|مشكور\w*|يجزاك خير|جزاك الله خير|تسلم\w*|يعطي\w* العافيه)(?:\s+\S+)?\s+"
    r"(?:على|علي)(?![\u0600-\u06ff])"
)


_THANKS_SPAN = re.compile(f"(?:{_THANKS_FOR.pattern}){_THANKS_SPAN_END}")


_EARLIER_TODAY = ("this morning", "earlier today", "сегодня утром", "الصبح", "اليوم الصبح")


def _a_day_ahead(normalized: str) -> bool:
    """A day is said that may be to come: "yesterday" and "checked out this morning" were, "Sunday" may be."""
    was = (*YESTERDAY, *_EARLIER_TODAY) if has(PAST, normalized) else YESTERDAY
    for said in pattern(was).finditer(normalized):
        normalized = blank(normalized, said.start(), said.end())
    return has(_DAY_WORDS, normalized)


def only_news(text: str) -> bool:
    """It tells what has happened and asks nothing: no cue, no question, and one of the DONE phrases."""
    normalized = normalize(text)
    if any(c.isdigit() for c in normalized) or _a_day_ahead(normalized):
        return False  # "car Sunday at 5, we've got the tickets already" asks
    said_of_before = has(PAST, normalized) or has(PRAISE, normalized)
    told = has(DONE, normalized) or (has(YESTERDAY, normalized) and said_of_before)
    told = told or (said_of_before and not has(_DAY_WORDS, normalized))  # "lovely evening at the ballet"
    return told and "?" not in normalized and not has(REQUEST_CUES, _SAYING.sub(" ", normalized))


def thanks_said(normalized: str) -> re.Match[str] | None:
    """ "thanks for ..." up to the end of its clause: what is thanked for is past, its time too."""
    return _THANKS_SPAN.search(normalized)


def thanks_for_past(text: str) -> bool:
    """Thanks for a service already given ("thank you for the car yesterday", "спасибо за ужин",
    "مشكورين على السواق"), asking for nothing new: not a request for that service again."""
    normalized = normalize(text)
    if not has(THANKS, normalized):
        return False
    normalized = _SAYING.sub(" ", normalized)  # "just wanted to say thank you": no ask in "wanted"
    thanked = _THANKS_FOR.search(normalized)
    rest = normalized
    if thanked:  # what is said besides the thanks and what it thanks for (that clause)
        after = _CLAUSE_END.split(normalized[thanked.end() :], 1)
        rest = normalized[: thanked.start()] + (after[1] if len(after) > 1 else "")
    if has(REQUEST_CUES, rest):  # "thanks for sending the doctor" asks nothing; "thanks, and book ..." does
        return False
    digits = any(c.isdigit() for c in rest)
    if (digits and _a_day_ahead(rest)) or (thanked and (digits or has(_WHEN_WORDS, rest))):
        return (
            False  # "Thanks for last night! Same table Friday 8pm", "dinner was perfect thx, again tmrw 9pm?"
        )
    return thanked is not None or has(PAST, normalized)
