"""The words for days, parts of the day and urgency, in English, Russian and Arabic (standard and Gulf)."""

from __future__ import annotations

DAYS = (
    (2, ("day after tomorrow", "the day after tomorrow", "day after tmrw", "послезавтра", "بعد غد",
         "بعد بكره", "بعد بكرا", "عقب بكره", "عقب بكرا", "بعد باكر", "عقب باكر", "بعد باچر", "عقب باچر",
         "بعد باجر", "عقب باجر")),
    (1, ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "tomoro", "2moro", "2morrow",
         "завтра", "завтрашн*", "غدا", "بكره", "بكرا", "باكر", "باچر", "باجر")),
    (0, ("today", "tonight", "tonite", "2nite", "this evening", "this afternoon", "this morning", "сегодня",
         "этим вечером", "اليوم", "الليله", "هذا المساء", "مساء اليوم", "هذه الليله", "هالليله", "الليلا")),
)  # fmt: skip
WEEKDAYS = (
    ("monday", "mon", "понедельник*", "الاثنين", "للاثنين", "الاتنين", "يوم اثنين", "يوم ثنين"),
    ("tuesday", "tue", "tues", "вторник*", "الثلاثاء", "للثلاثاء", "الثلاثا", "الثلوث", "يوم ثلاثاء"),
    ("wednesday", "wed", "weds", "сред*", "الاربعاء", "للاربعاء", "الاربعا", "يوم اربعاء", "يوم اربعا"),
    ("thursday", "thu", "thurs", "четверг*", "الخميس", "للخميس", "يوم خميس"),
    ("friday", "fri", "пятниц*", "الجمعه", "للجمعه", "يوم جمعه"),
    ("saturday", "суббот*", "السبت", "للسبت", "يوم سبت"),
    ("sunday", "воскресень*", "воскресени*", "الاحد", "للاحد", "يوم احد"),
)
NEXT = ("next", "следующ*", "القادم", "القادمه", "الجاي", "الجايه")
WEEKEND = ("weekend", "выходны*", "نهايه الاسبوع", "الويكند", "عطله نهايه الاسبوع")
NEXT_WEEK = ("next week", "на следующей неделе", "следующей неделе", "الاسبوع القادم", "الاسبوع الجاي")
MONTHS = (
    ("january", "jan", "январ*", "يناير"),
    ("february", "feb", "феврал*", "فبراير"),
    ("march", "марта", "март", "مارس"),
    ("april", "apr", "апрел*", "ابريل"),
    ("may", "мая", "май", "مايو"),
    ("june", "jun", "июн*", "يونيو"),
    ("july", "jul", "июл*", "يوليو"),
    ("august", "aug", "август*", "اغسطس"),
    ("september", "sept", "sep", "сентябр*", "سبتمبر"),
    ("october", "oct", "октябр*", "اكتوبر"),
    ("november", "nov", "ноябр*", "نوفمبر"),
    ("december", "dec", "декабр*", "ديسمبر"),
)
# parts of the day → a typical hour (shown as approximate)
PARTS = (
    (
        10,
        (
            "morning",
            "утром",
            "утра",
            "с утра",
            "утру",
            "к утру",
            "утречком",
            "صباحا",
            "الصباح",
            "صباح",
            "الصبح",
            "الصبحيه",
            "الضحى",
        ),
    ),
    (
        15,
        (
            "во второй половине дня",
            "второй половине дня",
            "afternoon",
            "днем",
            "днём",
            "после обеда",
            "بعد الظهر",
            "الظهريه",
            "عصرا",
        ),
    ),
    (
        19,
        (
            "evening",
            "tonight",
            "tonite",
            "вечером",
            "вечер",
            "вечера",
            "вечерком",
            "مساء",
            "المساء",
            "الليله",
            "مساءا",
            "المسا",
            "مسا",
            "بالمسا",
            "هالليله",
        ),
    ),
    (22, ("night", "at night", "ночью", "ليلا", "بالليل", "الليل", "في الليل")),
)
PM = ("pm", "p.m", "evening", "afternoon", "tonight", "tonite", "night", "дня", "вечера", "вечером", "ночи",
      "ночью", "ظهرا", "بعد الظهر", "مساء", "مساءا", "ليلا", "الليله", "العصر", "المسا", "مسا", "بالمسا",
      "بالليل", "الليل", "عصرا")  # fmt: skip
AM = ("am", "a.m", "morning", "утра", "утром", "صباحا", "الصباح", "صباح", "الصبح", "الفجر", "فجرا")
# morning words that settle an hour wherever they stand (not "morning" alone: "good morning")
EARLY = ("early morning", "in the morning", "рано утром", "утром", "الفجر", "فجرا", "الصبح", "صباحا")
# an hour from 0 to 5 said with one of these is the early morning after that night: "tonight at 2" (dawn,
# الفجر, is the morning of the day said: "bukra el sa3a 3 el fajr" is tomorrow at 3)
NIGHT = ("tonight", "tonite", "night", "after midnight", "ночью", "ночи", "в ночь", "ночь", "после полуночи",
         "الليله", "بالليل", "الليل", "بعد منتصف الليل", "هالليله")  # fmt: skip
# the same time on another day: "this time tomorrow", "завтра в это же время", "بكره نفس الوقت"
SAME_TIME = ("this time", "same time", "в это же время", "в это время", "в тоже время", "в то же время",
             "نفس الوقت", "نفس هالوقت", "بنفس الوقت", "مثل هالوقت")  # fmt: skip
# a meal with a day and no hour: its usual hour (approximate)
MEALS = (
    (9, ("breakfast time", "breakfast", "завтрак*", "позавтракать", "فطور", "الريوق", "ريوق")),
    (13, ("lunchtime", "lunch time", "lunch", "обед*", "пообедать", "غداء", "الغدا", "نتغدى")),
    (
        20,
        (
            "dinnertime",
            "dinner time",
            "dinner",
            "supper",
            "ужин*",
            "поужинать",
            "عشاء",
            "العشا",
            "عشا",
            "نتعشى",
        ),
    ),
)
URGENT = ("now", "right now", "right away", "asap", "as soon as possible", "urgent*", "immediately",
          "срочн*", "сейчас", "немедленно", "как можно скорее", "прямо сейчас",
          "щас", "сейчас же", "срочняк", "الان", "الحين", "هالحين", "ذحين", "دحين", "حالا", "فورا", "عاجل",
          "بسرعه", "ضروري", "في اسرع وقت", "اسرع وقت")  # fmt: skip
