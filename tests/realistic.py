"""Messages that read like real client requests, in English, Russian and Arabic: each conversation opens
requests and adds to them, so cards are posted and edited between the relays (what crowds a topic's lane)."""

from __future__ import annotations

CONVERSATIONS = {
    "en": [
        "Book a Mercedes S-Class tonight at 8 from the Ritz",
        "We will be 4 people",
        "Also a table for dinner at Pushkin tomorrow at 9pm",
        "A quiet table by the window please",
        "Tickets to the Bolshoi on Saturday for 2",
        "Our budget is around 50000 RUB",
        "And a private guide for the Kremlin on Sunday at 11",
        "The guide should speak English",
        "Please send a car to Vnukovo airport on Monday at 10am",
        "Flight SU 1234 lands at 10:40",
    ],
    "ru": [
        "Закажите Майбах сегодня в 20:00 от Four Seasons",
        "Нас будет трое",
        "Ещё столик в ресторане White Rabbit завтра в 21:00",
        "Лучше у окна",
        "Билеты в Большой театр на субботу на двоих",
        "Бюджет до 60000 рублей",
        "И гид по Кремлю в воскресенье в 12:00",
        "Гид должен говорить по-английски",
        "Машину в Шереметьево в понедельник в 9 утра",
        "Рейс SU 100 прилетает в 9:30",
    ],
    "ar": [
        "أريد سيارة مرسيدس الليلة الساعة 8 من فندق ريتز",
        "سنكون 4 أشخاص",
        "وأريد حجز طاولة عشاء في مطعم بوشكين غدا الساعة 9 مساء",
        "طاولة هادئة بجانب النافذة من فضلك",
        "تذاكر لمسرح البولشوي يوم السبت لشخصين",
        "الميزانية حوالي 50000 روبل",
        "ومرشد سياحي للكرملين يوم الأحد الساعة 11",
        "المرشد يتحدث العربية",
        "أرسل سيارة إلى مطار فنوكوفو يوم الاثنين الساعة 10 صباحا",
        "الرحلة تصل الساعة 10:40",
    ],
}
LANGUAGES = ("en", "ru", "ar")


def language_of(index: int) -> str:
    return LANGUAGES[index % len(LANGUAGES)]


def conversation(index: int, count: int) -> list[str]:
    """The first `count` messages of client `index` (languages take turns)."""
    lines = CONVERSATIONS[language_of(index)]
    return [lines[i % len(lines)] for i in range(count)]
