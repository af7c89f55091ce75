"""Clock phrases in words, rewritten into digits before the time is read: "half past seven", "quarter to
eight", "полвосьмого", "без пятнадцати десять", "к девяти", "الساعة ثمان ونص", "٨ الا ربع", "على سبع".
Works on normalised text (intake.text.normalize) and returns it with each phrase as "at H:MM" (what follows,
"вечера", "pm", "المسا", stays where it was, so the part of the day still settles a.m. or p.m.)."""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.intake.text import re_compile

EN_HOURS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
EN_MINUTES = {"five": 5, "ten": 10, "quarter": 15, "a quarter": 15, "twenty": 20, "twenty five": 25,
              "twenty-five": 25, "half": 30}  # fmt: skip
# Russian: the hour as said after "в" (nominative), after "к", "около", "до", "без ..." (dative,
# genitive) and the ordinal of "полвосьмого", "четверть восьмого", "в половине восьмого" (the hour entered)
RU_HOURS = {
    "час": 1, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8,
    "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
}  # fmt: skip
RU_CASES = {
    "часу": 1, "одному": 1, "двум": 2, "двух": 2, "трем": 3, "трех": 3, "четырем": 4, "четырех": 4, "пяти": 5,
    "шести": 6, "семи": 7, "восьми": 8, "девяти": 9, "десяти": 10, "одиннадцати": 11, "двенадцати": 12,
}  # fmt: skip
RU_ORDINALS = {
    "первого": 1, "второго": 2, "третьего": 3, "четвертого": 4, "пятого": 5, "шестого": 6, "седьмого": 7,
    "восьмого": 8, "девятого": 9, "десятого": 10, "одиннадцатого": 11, "двенадцатого": 12,
}  # fmt: skip
RU_MINUTES = {"пяти": 5, "десяти": 10, "пятнадцати": 15, "четверти": 15, "двадцати": 20,
              "двадцати пяти": 25}  # fmt: skip
RU_PAST = {"пять": 5, "десять": 10, "пятнадцать": 15, "двадцать": 20, "тридцать": 30, "сорок": 40,
           "сорок пять": 45, "пятьдесят": 50}  # fmt: skip
# Arabic, Gulf and standard: the cardinal (masculine, feminine), the ordinal after الساعه, and 11/12 as said
AR_HOURS = {
    "واحد": 1, "وحده": 1, "واحده": 1, "الواحده": 1, "ثنين": 2, "اثنين": 2, "ثنتين": 2, "الثانيه": 2,
    "ثلاث": 3, "ثلاثه": 3, "الثالثه": 3, "اربع": 4, "اربعه": 4, "الرابعه": 4, "خمس": 5, "خمسه": 5,
    "الخامسه": 5,
    "ست": 6, "سته": 6, "السادسه": 6, "سبع": 7, "سبعه": 7, "السابعه": 7, "ثمان": 8, "ثمانيه": 8, "ثمن": 8,
    "الثامنه": 8, "تسع": 9, "تسعه": 9, "التاسعه": 9, "عشر": 10, "عشره": 10, "العاشره": 10,
    "احدعش": 11, "حدعش": 11, "احد عشر": 11, "الحاديه عشر": 11, "الحاديه عشره": 11,
    "اطنعش": 12, "ثنعش": 12, "اثنعش": 12, "اثنا عشر": 12, "اثني عشر": 12, "الثانيه عشر": 12,
    "الثانيه عشره": 12,
}  # fmt: skip
AR_MINUTES = {"ونص": 30, "و نص": 30, "ونصف": 30, "و نصف": 30, "وربع": 15, "و ربع": 15, "وثلث": 20,
              "و ثلث": 20, "الا ربع": -15, "الا ثلث": -20, "الي ربع": -15, "الي ثلث": -20, "الا عشر": -10,
              "الا خمس": -5, "وعشر": 10, "و عشر": 10, "وخمس": 5, "و خمس": 5}  # fmt: skip


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _at(hour: int, minute: int = 0) -> str:
    if minute < 0:
        hour, minute = (hour - 1) % 12 or 12, 60 + minute
    return f" at {hour}:{minute:02d} "


_H = r"(?P<h>1[0-2]|0?[1-9])"  # an hour in digits, as said with a phrase
_EN_H = rf"(?P<w>{_alternatives(EN_HOURS)}|\d{{1,2}})"
_RU_ORD = _alternatives(RU_ORDINALS)
_AR_H = rf"(?P<w>{_alternatives(AR_HOURS)}|\d{{1,2}})"
_AR_M = rf"(?P<m>{_alternatives(AR_MINUTES)})"
_AR_END = r"(?![\u0600-\u06ff])"


_HOUR_WORDS = {**EN_HOURS, **RU_HOURS, **RU_CASES, **AR_HOURS}


def _hour(word: str) -> int:
    return int(word) if word.isdigit() else _HOUR_WORDS[word]


# "at seven" is a time when what follows is not a name ("at Four Seasons")
_EN_AFTER = (
    r"\s*(?:$|[,.!?;)]|o'?clock|am\b|pm\b|a\.m|p\.m|tonight|today|tomorrow|in\b|on\b|this\b|sharp"
    r"|please|pls|and\b|to\b|from\b|at\b|for\b|with\b|thanks)"
)
_EN_WORD = rf"(?P<w>{_alternatives(EN_HOURS)})"

Rewrite = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
REWRITES: tuple[Rewrite, ...] = (
    # English: "half past seven", "quarter to eight", "twenty past 9", "half seven" (British: 7:30)
    (
        re_compile(rf"(?<!\w)(?P<m>{_alternatives(EN_MINUTES)}) (?P<rel>past|after|to|till) {_EN_H}(?!\w)"),
        lambda m: _at(_hour(m["w"]), EN_MINUTES[m["m"]] * (-1 if m["rel"] in ("to", "till") else 1)),
    ),
    (re_compile(rf"(?<!\w)half {_EN_H}(?!\w)(?! (?:hours?|an?)\b)"), lambda m: _at(_hour(m["w"]), 30)),
    # "seven thirty", "at 8 fifteen"
    (
        re_compile(rf"(?<!\w)(?:at )?{_EN_H} (?P<m>fifteen|thirty|forty five|forty-five)(?!\w)"),
        lambda m: _at(_hour(m["w"]), {"fifteen": 15, "thirty": 30}.get(m["m"], 45)),
    ),
    (
        re_compile(rf"(?<!\w)(?:at|around|by|about) {_EN_WORD}(?!\w)(?={_EN_AFTER})"),
        lambda m: _at(_hour(m["w"])),
    ),
    (re_compile(rf"(?<!\w){_EN_WORD} ?(?=o'?clock|am\b|pm\b|a\.m|p\.m)"), lambda m: _at(_hour(m["w"]))),
    # Russian: "полвосьмого", "пол восьмого", "в половине восьмого": 7:30; "четверть восьмого": 7:15
    (
        re_compile(rf"(?<!\w)(?:в\s+|на\s+)?(?:пол\s?|половин[аеуы]\s+)(?P<o>{_RU_ORD})(?!\w)"),
        lambda m: _at(RU_ORDINALS[m["o"]] - 1 or 12, 30),
    ),
    (
        re_compile(rf"(?<!\w)(?:в\s+)?четверть\s+(?P<o>{_RU_ORD})(?!\w)"),
        lambda m: _at(RU_ORDINALS[m["o"]] - 1 or 12, 15),
    ),
    # "без четверти десять", "без пятнадцати 10": 9:45
    (
        re_compile(
            rf"(?<!\w)(?:в\s+)?без\s+(?P<m>{_alternatives(RU_MINUTES)}|\d{{1,2}})(?:\s+минут)?\s+"
            rf"(?P<w>{_alternatives(RU_HOURS)}|\d{{1,2}})(?!\w)"
        ),
        lambda m: _at(_hour(m["w"]), -(int(m["m"]) if m["m"].isdigit() else RU_MINUTES[m["m"]])),
    ),
    # "в восемь тридцать", "в 8 тридцать"
    (
        re_compile(
            rf"(?<!\w)(?:в|к|около)\s+(?P<w>{_alternatives(RU_HOURS)}|\d{{1,2}})\s+"
            rf"(?P<m>{_alternatives(RU_PAST)})(?!\w)"
        ),
        lambda m: _at(_hour(m["w"]), RU_PAST[m["m"]]),
    ),
    # "на час ночи", "на восемь вечера": "на" with an hour is a time when the part of the day says so ("на три
    # ночи" is three nights)
    (
        re_compile(
            r"(?<!\w)на\s+(?:(?P<one>час)(?=\s+(?:ночи|дня)(?!\w))"
            rf"|(?P<w>{_alternatives(RU_HOURS)})(?=\s+(?:утра|вечера|дня)(?!\w)))"
        ),
        lambda m: _at(1 if m["one"] else _hour(m["w"])),
    ),
    # "в восемь", "к девяти", "около семи", "до десяти" (a time to be there by)
    (
        re_compile(
            rf"(?<!\w)(?P<p>в|к|около|до|часам к|часов в)\s+(?P<w>{_alternatives({**RU_HOURS, **RU_CASES})})"
            r"(?!\w)(?!\s+(?:дн|минут|челов|гост))"
        ),
        lambda m: _at(_hour(m["w"])),
    ),
    # Arabic: "الساعه ثمان ونص", "على ٨ الا ربع", "8 وربع", "سبع ونص المسا"
    (
        re_compile(rf"(?<![\u0600-\u06ff\d]){_AR_H}\s*{_AR_M}{_AR_END}"),
        lambda m: _at(_hour(m["w"]), AR_MINUTES[m["m"]]),
    ),
    (
        re_compile(rf"(?:الساعه|على|ع)\s+(?P<w>{_alternatives(AR_HOURS)}){_AR_END}"),
        lambda m: _at(_hour(m["w"])),
    ),
    # an hour word right before a part of the day: "سبع المسا", "ثمان الصبح"
    (
        re_compile(
            rf"(?<![\u0600-\u06ff])(?P<w>{_alternatives(AR_HOURS)})\s+(?=(?:ال|بال)?(?:صبح|صباح|مسا|مساء|ليل|عصر|فجر)"
            r"|صباحا|مساء)"
        ),
        lambda m: _at(_hour(m["w"])),
    ),
    # "على 8", "ع 8": at 8 (Gulf)
    (
        re_compile(rf"(?<![\u0600-\u06ff])(?:على|ع)\s+{_H}(?![\d:.,%])(?!\s*(?:شخص|اشخاص|ساع|دقي))"),
        lambda m: _at(int(m["h"])),
    ),
)


def words_to_digits(text: str) -> str:
    for regex, replace in REWRITES:
        text = regex.sub(replace, text)
    return text
