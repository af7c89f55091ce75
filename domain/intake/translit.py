"""Russian written in Latin letters ("nuzhna mashina zavtra v 8 utra"), back in Cyrillic for intake's rules.

A lexicon written once in Cyrillic is spelled out at import in the ways clients write it (zh/j for ж, kh/h/x
for х, ya/ja/ia for я, with or without ' for ь, 4 for ч), so looking a word up is one dict access; words not
in it go through a rule-based transliterator. Numbers, English words, brands and Latin names stay as written.
"""

from __future__ import annotations

import re

from domain.intake.places import GAZETTEER
from domain.intake.words import KEYWORDS

# Cyrillic as intake reads it (ё is written е on the way out); a '*' marks a stem that takes any ending,
# '=' adds spellings the letter rules below do not make
_LEXICON = """
в во на с со к ко из у до по от за под при про о об для без через около возле рядом после перед между
и а но или да нет не ни же ли бы то что=shto чтобы=shtoby как где когда куда откуда кто это этот эта эти
этого тот там тут здесь туда сюда вот уже ещё=esche,eshe тоже также только очень так всё всех всем весь вся
я мне меня мной мы нам нас нами вы вас вам ты тебе тебя он она они его её их ему ей им сам сама
мой моя моё мои моих моей наш наша наше наши наших нашей ваш ваша ваше ваши ваших вашей свой свою своей
можно нужно нужна нужен нужны надо хочу хотим хотел хотела хотели будет будем буду есть был была было были
могу можете сможете могли пожалуйста=pozhalusta,pozhalsta,pojalsta,pzhl спасибо=spasiba,spsb спс
здравствуйте=zdrastvuyte,zdrasti привет добрый доброе день вечер утро хорошо=harasho,xorosho отлично
ладно понял поняла договорились подходит конечно благодарю пока извините срочно сейчас
заброн* бронь закаж* заказ* организ* найдите найти подбер* пришл* отправ* помог* сдела* купите купить
встрет* встреч* отвез* забер* забрать подвез* подайте подать давайте давай прошу подскаж* скажите
сегодня=sevodnya,sevodnia,sivodnya завтра послезавтра вчера утра утром вечера вечером дня днём ночи ночью ночь
час часа часов часик полчаса полтора минут минуты минуту минутку полдень полночь неделе неделю выходные
следующ* числа понедельник* вторник* сред* четверг* пятниц* суббот* воскресенье воскресень*
январ* феврал* март марта апрел* май мая июн* июл* август* сентябр* октябр* ноябр* декабр*
один одна одного два две три четыре пять шесть семь восемь девять десять одиннадцать двенадцать пятнадцать
двадцать тридцать сорок пятьдесят сто двоих троих четверых пятерых шестерых двух трёх четырёх человек человека
пол половине половина половину четверть четверти пяти десяти пятнадцати двадцати
часу двум трём четырём шести семи восьми девяти одиннадцати двенадцати
первого второго третьего четвёртого пятого шестого седьмого восьмого девятого десятого одиннадцатого
двенадцатого
машин* водител* шофёр* трансфер* такси лимузин* мерседес* майбах* аэропорт* вокзал* рейс* самолёт* вертолёт*
ресторан* столик* стол еду еда ужин* поужинать обед* пообедать завтрак* кафе бар меню
билет* театр* концерт* балет* спектакл* шоу цирк* футбол* хоккей хоккея выставк* экскурси*
экскурсовод* гид музе* яхт* круиз* прогулк* галере*
врач* доктор* аптек* клиник* больниц* массаж* сауну сауна баня баню стоматолог* лекарств*
цвет* букет* подар* шопинг* бутик* ювелир* парфюм* духи
отел* гостиниц* номер* люкс апартамент* охран* телохранител* место места мест гост* персон* бизнес
большой большая большое большие маленький хороший лучший новый частный кремл* москв*
возможно получить поехать ехать едем поедем приехать приедет приеду прилет* вылет* багаж* чемодан* терминал*
табличк* зал вход* выход* подъезд* адрес* телефон* звоните позвоните напишите подтверд* отмен* перенес*
поменять время сколько стоит цена цену стоимость дорого оплат* наличн* рублей долларов евро бюджет* жду ждём
подождите опаздываю задерживается внизу жена жены жене муж мужа дети детей ребёнок ребёнка друзей семьи
"""
_ORDINALS = ("первого", "второго", "третьего", "четвёртого", "пятого", "шестого", "седьмого", "восьмого")
_HALF_PAST = " ".join(
    "пол" + o for o in (*_ORDINALS, "девятого", "десятого", "одиннадцатого", "двенадцатого")
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English words, counted against Russian; those the lexicon spells too ("a", "do", "no", "to") count for none
_ENGLISH = _words("""
a about after again airport all also am an and any are as at back bar be been before best book booking bring
but buy by call can car cars city class could day days den dinner do does done driver ego eight email end eta
evening five flight for four from get give go good got guest guests guide had has have he hello help her here
hi him his hokey hotel hour hours how i if im in into is it its just know last late later let like limo lobby
lunch mail make may me meet minute minutes more morning most much must my near need net next night nine no not
now of off on one only or our out pay people person persons pick place please pro room same see send seven she
show six so some soon suite sure table take taxi ten terminal than thank thanks that the their them then there
they this three time to today tomorrow tonight too two tut ty u up us very want was wash way we week weekend
well were what when where which who why wifi will with would yes you your
""")
_NEUTRAL = _words("ok okay okey pls plz pliz lol haha vip xd")  # said in either language
# brands clients write in Latin in Russian messages too
_BRANDS = _words("""
uber yandex whatsapp telegram instagram airbnb mercedes maybach bmw audi porsche rolls royce bentley
cadillac escalade tesla lexus toyota range rover vito sprinter aeroflot emirates visa mastercard
""")
# Russian spellings that are also words elsewhere (Arabizi "nas", "ana"; names; "mart"): Russian, but weakly
_AMBIGUOUS = _words("nas ana tri sto pol noch nam ona oni sam tot pod est jest yest mart marta maya mai moe")
_AMBIGUOUS |= _words("nash odin tam wot")


def _latin_words(phrases: list[str]) -> set[str]:
    return {w for p in phrases if p.isascii() for w in re.findall(r"[a-z][a-z'*-]*", p.lower())}


# the Latin words and stems of intake's own tables: left in Latin, where intake finds them; its place names
# ("Sheremetyevo", "bolshoi") and brands stay as written without counting as English
_KEEP = frozenset(_BRANDS | _latin_words([s for place in GAZETTEER for s in place.spellings]))
_KEYWORDS = _latin_words([w for group in KEYWORDS.values() for w, _ in group])
_EN_WORDS = frozenset(_ENGLISH | {w for w in _KEYWORDS if len(w) >= 3 and not w.endswith("*")})
_EN_STEMS = tuple(sorted({w[:-1] for w in _KEYWORDS if w.endswith("*")} | {"organi", "personal", "reserv"}))

_VOWELS = "аеёиоуыэюя"
_SIGNS = "ьъ"
# each letter's spellings with a cost: 0 for the usual, more for rarer ones; spellings up to _MAX_COST kept
_LETTERS: dict[str, tuple[tuple[str, int], ...]] = {
    "а": (("a", 0),), "б": (("b", 0),), "в": (("v", 0), ("w", 2)), "г": (("g", 0),), "д": (("d", 0),),
    "ж": (("zh", 0), ("j", 1), ("z", 2), ("g", 2)), "з": (("z", 0),), "и": (("i", 0),),
    "к": (("k", 0),), "л": (("l", 0),), "м": (("m", 0),), "н": (("n", 0),), "о": (("o", 0),),
    "п": (("p", 0),), "р": (("r", 0),), "с": (("s", 0),), "т": (("t", 0),), "у": (("u", 0),),
    "ф": (("f", 0),), "х": (("kh", 0), ("h", 0), ("x", 1)), "ц": (("ts", 0), ("c", 0), ("tz", 1), ("tc", 1)),
    "ч": (("ch", 0), ("4", 1)), "ш": (("sh", 0),), "щ": (("shch", 0), ("sch", 0), ("sh'", 1), ("sh", 1)),
    "ы": (("y", 0), ("i", 1)), "ь": (("'", 0), ("", 0)), "ъ": (("'", 0), ("", 0)), "э": (("e", 0),),
    "ё": (("yo", 0), ("e", 0), ("jo", 1), ("io", 1)), "ю": (("yu", 0), ("ju", 1), ("iu", 1)),
    "я": (("ya", 0), ("ja", 1), ("ia", 1)), "-": (("-", 0),),
}  # fmt: skip
_CLUSTERS = {"кс": (("ks", 0), ("x", 1)), "дц": (("dts", 0), ("dc", 0), ("ts", 1), ("tc", 1))}
_MAX_COST = 3


def _options(word: str, i: int) -> tuple[int, tuple[tuple[str, int], ...]]:
    """How many letters from position i make the next unit, and the ways to spell it."""
    letter, before, after = word[i], word[i - 1 : i], word[i + 1 : i + 2]
    if (pair := word[i : i + 2]) in _CLUSTERS:
        return 2, _CLUSTERS[pair]
    if after == letter and letter not in _VOWELS:  # "одиннадцать", written "odinadtsat" too
        return 2, tuple((s + s, c) for s, c in _LETTERS[letter]) + tuple(
            (s, c + 1) for s, c in _LETTERS[letter]
        )
    if letter == "е":
        soft = not before or before in _VOWELS + _SIGNS  # "ye" only where е is said "йе"
        return 1, (("e", 0), ("ye", 0), ("je", 1)) if soft else (("e", 0),)
    if letter == "й":
        dropped = (after and after not in _VOWELS) or (not after and before in "иы")  # "pozhalusta", "novy"
        return 1, (("y", 0), ("j", 1), ("i", 1)) + ((("", 2),) if dropped else ())
    if letter in "яю" and before == "и":  # "ekskursia", "iun'"
        return 1, (*_LETTERS[letter], ("a" if letter == "я" else "u", 1))
    if letter == "г" and i == len(word) - 2 and before in "ое" and word.endswith(("ого", "его")):
        return 1, (("g", 0), ("v", 1))  # "nichevo", "vos'movo"
    return 1, _LETTERS[letter]


def _spellings(word: str) -> dict[str, int]:
    """Every Latin spelling of a Cyrillic word up to _MAX_COST, with its cost."""
    spelled, i = {"": 0}, 0
    while i < len(word):
        width, options = _options(word, i)
        grown: dict[str, int] = {}
        for prefix, cost in spelled.items():
            for spelling, extra in options:
                if cost + extra <= _MAX_COST and grown.get(prefix + spelling, _MAX_COST + 1) > cost + extra:
                    grown[prefix + spelling] = cost + extra
        spelled, i = grown, i + width
    return spelled


def _build() -> tuple[dict[str, str], dict[str, str]]:
    """(words, stems): Latin spelling → Cyrillic; a spelling two words share goes to the cheaper, then the
    first listed."""
    best: dict[tuple[str, bool], tuple[int, int, str]] = {}
    for order, entry in enumerate((_LEXICON + _HALF_PAST).split()):
        word, _, extra = entry.partition("=")
        stem = word.endswith("*")
        word = word.rstrip("*")
        spellings = _spellings(word) | dict.fromkeys(extra.split(",") if extra else (), 0)
        for latin, cost in spellings.items():
            if stem and len(latin) < 4:
                continue  # a short stem would begin too many other words
            key = (latin, stem)
            if key not in best or best[key][:2] > (cost, order):
                best[key] = (cost, order, word.replace("ё", "е"))
    words = {latin: cyr for (latin, stem), (_, _, cyr) in best.items() if not stem}
    stems = {latin: cyr for (latin, stem), (_, _, cyr) in best.items() if stem}
    return words, stems


_WORDS, _STEMS = _build()
_LONGEST_STEM = max(map(len, _STEMS))

_SINGLE = dict(zip("abvgdzijklmnoprstufhcwqx'", "абвгдзийклмнопрстуфхцвкхь", strict=True))
_DIGRAPHS = {
    "shch": "щ", "sch": "щ", "sh'": "щ", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ts": "ц", "tz": "ц",
    "ck": "к", "tsya": "тся", "ovat": "овать", "ovat'": "овать", "ia": "ия", "iu": "ию",
}  # fmt: skip
_IOTATED = {"a": "я", "u": "ю", "o": "е"}  # yo: ё, written е
_UNITS = re.compile(r"shch|sch|sh'(?=[aeiouy])|tsya$|ovat'?$|zh|kh|ch|sh|ts|tz|ck|[yj][aeuo]|i[au]$|.")


def _rule(latin: str, before: str = "") -> str:
    """Cyrillic for a word not in the lexicon, the longest spelling first; `before` is the Cyrillic letter
    before it (a stem's last), which decides y: й after a vowel, ы after a consonant."""
    out = []
    for unit in _UNITS.finditer(latin):
        u, end = unit.group(), unit.end() == len(latin)
        soft = not before or before in _VOWELS + _SIGNS
        if u in _DIGRAPHS:
            cyr = _DIGRAPHS[u]
        elif len(u) == 2:  # y or j before a vowel: я, ю, е; "ye" after a consonant is ье ("Sheremetyevo")
            cyr = _IOTATED.get(u[1]) or ("е" if soft else "ые" if end else "ье")
        elif u in "yj":
            cyr = "ы" if u == "y" and before and before not in _VOWELS else "й"
        elif u == "e":
            cyr = "е" if before else "э"  # "eto", "ekskursiya"
        elif u == "i" and end and before in _VOWELS:
            cyr = "й"  # "novyi", "bolshoi"
        else:
            cyr = _SINGLE.get(u, u)
        out.append(cyr)
        before = cyr[-1]
    return "".join(out)


def _stemmed(key: str) -> str | None:
    for length in range(min(len(key), _LONGEST_STEM), 3, -1):
        stem = _STEMS.get(key[:length])
        if stem is not None and not (key[length : length + 1] == "h" and key[length - 1] in "szkct"):
            rest = key[length:]
            return stem + (
                _IOTATED[rest] if stem[-1] == "и" and rest in ("a", "u") else _rule(rest, stem[-1])
            )
    return None


STRONG, WEAK, BOTH, FOREIGN, NEUTRAL, UNKNOWN = range(6)
_ARABIZI = re.compile(r"[a-z][235679]|[235679][a-z]")  # "3ala", "ma3", "7abibi"
# a word in neither list is spelled in Cyrillic unless it looks English ("thanks", "lobby", "booking")
_ENGLISH_LOOK = re.compile(r"th|ph|gh|ck|q|w|oo|ou|ea|ing$|tion")
_LETTERS_ONLY = re.compile(r"[a-z][a-z']*(?:-[a-z][a-z']*)*")


def _read(key: str) -> tuple[int, str | None]:
    """What one lower-case Latin word is (STRONG…UNKNOWN), and its Cyrillic when it is a Russian word."""
    if key in _NEUTRAL or key in _KEEP or not key.isascii():
        return (NEUTRAL if key.isascii() else FOREIGN), None
    if "-" in key:
        parts = [_read(part) for part in key.split("-") if part]
        if parts and all(kind in (STRONG, WEAK, BOTH) for kind, _ in parts):
            return min(kind for kind, _ in parts), "-".join(cyr or "" for _, cyr in parts)
        kinds = {kind for kind, _ in parts}
        return (FOREIGN if FOREIGN in kinds else NEUTRAL if NEUTRAL in kinds else UNKNOWN), None
    cyr = _WORDS.get(key) or _WORDS.get(key.rstrip("'"))
    english = key in _EN_WORDS or key.startswith(_EN_STEMS)
    if cyr is None and key not in _EN_WORDS:
        cyr = _stemmed(key)
    if cyr is not None:
        return (BOTH if english else WEAK if len(key) <= 2 or key in _AMBIGUOUS else STRONG), cyr
    if english or _ARABIZI.search(key):
        return FOREIGN, None
    return (NEUTRAL if any(c.isdigit() for c in key) else UNKNOWN), None


# bounded repeats: a long run of "a.a.a." or "x@x@x" costs a line, not a square of it
_SKIP = (
    r"[^\s@]{0,64}@\S{1,255}|(?:https?://|www\.)\S+"
    r"|[\w-]{1,63}(?:\.[\w-]{1,63}){0,6}\.(?:com|ru|net|org|io|me|info|app|co|uk|ae)\b\S*"
)
_TOKENS = re.compile(rf"(?P<skip>{_SKIP})|(?P<word>[^\W_][\w'’`]*(?:-[^\W_][\w'’`]*)*)")
_NOT_LATIN = re.compile("[\u0400-\u04ff\u0600-\u06ff]")
_SENTENCE_END = re.compile(r"[.!?\n]")
_APOSTROPHES = str.maketrans("’`", "''")


def _russian(kinds: list[int]) -> bool:
    # Russian on evidence: a word only Russian has ("zavtra", "mozhno"; not "na" or "ya", Spanish and Arabizi
    # too), more Russian words than English ones ("nuzhen driver na zavtra" is; "I need a car for Zavtra" is
    # not), and two Russian words at least ("zavtra v 8") unless there is nothing else but names ("spasibo",
    # "spasibo Anna"). Words both languages have ("a", "i", "do", "no", "to"), names, numbers count for none.
    strong, weak, foreign = kinds.count(STRONG), kinds.count(WEAK), kinds.count(FOREIGN)
    alone = foreign + kinds.count(UNKNOWN) == 0
    return strong >= 1 and strong + weak > foreign and (strong + weak >= 2 or alone)


def from_translit(text: str) -> str | None:
    """The message with its Russian words in Cyrillic when it is Russian in Latin letters; otherwise None."""
    if _NOT_LATIN.search(text):
        return None  # Cyrillic or Arabic: intake reads it as it is
    words = _words_in(text)
    if not _russian([kind for _, kind, _ in words]):
        return None
    out, last = [], 0
    for match, kind, cyr in words:
        if kind == UNKNOWN:
            cyr = _spelled(_key(match["word"]))
        if cyr is not None:
            out += [text[last : match.start()], cyr]
            last = match.end()
    return "".join([*out, text[last:]])


def _words_in(text: str) -> list[tuple[re.Match[str], int, str | None]]:
    """Each word of the message, what it is and its Cyrillic if the lexicon has it."""
    words: list[tuple[re.Match[str], int, str | None]] = []
    last, shouting = 0, text.upper() == text  # "NUZHNA MASHINA V 8": capitals say nothing there
    for match in _TOKENS.finditer(text):
        if raw := match["word"]:
            opening = not words or _SENTENCE_END.search(text, last, match.start()) is not None
            kind, cyr = _read(_key(raw))
            if raw[0].isupper() and not opening and (kind == UNKNOWN or (len(raw) == 1 and not shouting)):
                kind, cyr = NEUTRAL, None  # "Ritz", "S class", "terminal D": a name
            elif kind == UNKNOWN and raw[1:] != raw[1:].lower():
                kind = NEUTRAL  # "SVO", "DiCaprio"
            words.append((match, kind, cyr))
        last = match.end()
    return words


def _key(raw: str) -> str:
    return raw.lower().translate(_APOSTROPHES)


def _spelled(key: str) -> str | None:
    return _rule(key) if _LETTERS_ONLY.fullmatch(key) and not _ENGLISH_LOOK.search(key) else None
