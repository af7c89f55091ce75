"""Intake on a table of client messages in English, Arabic and Russian: category and time.
'Now' is Saturday 28 November 2026, 15:00 in Moscow."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.intake import Category, Understanding, describes_new_need, understand
from domain.money import Money

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=MSK)
C = Category

TABLE = [
    # English
    ("Book a Mercedes S-Class tonight at 8 from the Ritz", C.CHAUFFEUR, "2026-11-28 20:00"),
    ("I need a driver tomorrow at 9am to Sheremetyevo", C.CHAUFFEUR, "2026-11-29 09:00"),
    ("Transfer from Vnukovo on Monday at 14:30", C.CHAUFFEUR, "2026-11-30 14:30"),
    ("Can you send a car in 2 hours?", C.CHAUFFEUR, "2026-11-28 17:00"),
    ("A table for 4 tomorrow at 8pm at White Rabbit", C.DINING, "2026-11-29 20:00"),
    ("Dinner reservation at Café Pushkin tonight at 21:00", C.DINING, "2026-11-28 21:00"),
    ("Breakfast at the hotel restaurant on December 3 at 10:00", C.DINING, "2026-12-03 10:00"),
    ("Lunch for two the day after tomorrow at 1pm", C.DINING, "2026-11-30 13:00"),
    ("A suite at the Four Seasons from Friday", C.HOTEL, "2026-12-04"),
    ("Please extend my hotel stay until 5 December", C.HOTEL, "2026-12-05"),
    ("Private jet to Dubai on Friday at 14:00, 6 people", C.AVIATION, "2026-12-04 14:00"),
    ("Charter a helicopter tomorrow at noon", C.AVIATION, "2026-11-29 12:00"),
    ("Two tickets to the Bolshoi on December 5", C.EVENTS, "2026-12-05"),
    ("Tickets for the football match on Sunday at 19:00", C.EVENTS, "2026-11-29 19:00"),
    ("Flowers for my wife, a big bouquet, tomorrow at 11am", C.SHOPPING, "2026-11-29 11:00"),
    ("Personal shopping at TSUM today at 4pm", C.SHOPPING, "2026-11-28 16:00"),
    ("I need a bodyguard for the evening at 7pm", C.SECURITY, "2026-11-28 19:00"),
    ("Book a massage at the spa tomorrow at 6pm", C.WELLNESS, "2026-11-29 18:00"),
    ("I need a doctor, my son has a fever", C.WELLNESS, None),
    ("A private guide for a Kremlin tour on Tuesday at 10:00", C.TOURS, "2026-12-01 10:00"),
    ("Could you find me a good tailor?", C.SHOPPING, None),
    # Russian
    ("Машину с водителем завтра в 20:00 от Ритц", C.CHAUFFEUR, "2026-11-29 20:00"),
    ("Трансфер в Шереметьево послезавтра в 6 утра", C.CHAUFFEUR, "2026-11-30 06:00"),
    ("Нужен майбах сегодня в 9 вечера", C.CHAUFFEUR, "2026-11-28 21:00"),
    ("Столик на четверых завтра в 20:00 в Пушкине", C.DINING, "2026-11-29 20:00"),
    ("Ужин в ресторане в субботу в 9 вечера", C.DINING, "2026-12-05 21:00"),
    ("Забронируйте обед на двоих в понедельник в 13:30", C.DINING, "2026-11-30 13:30"),
    ("Номер в отеле Метрополь с 3 декабря", C.HOTEL, "2026-12-03"),
    ("Люкс в гостинице на пятницу", C.HOTEL, "2026-12-04"),
    ("Частный самолёт в Дубай в пятницу в 14:00", C.AVIATION, "2026-12-04 14:00"),
    ("Вертолет на завтра в 12:00", C.AVIATION, "2026-11-29 12:00"),
    ("Два билета в Большой театр на 5 декабря", C.EVENTS, "2026-12-05"),
    ("Билеты на концерт сегодня в 19:00", C.EVENTS, "2026-11-28 19:00"),
    ("Букет цветов к 19:00, бюджет до 50 000 руб", C.SHOPPING, "2026-11-28 19:00"),
    ("Подарок для жены в ЦУМ завтра", C.SHOPPING, "2026-11-29"),
    ("Нужна охрана на вечер, в 8 вечера", C.SECURITY, "2026-11-28 20:00"),
    ("Массаж в спа завтра в 18:00", C.WELLNESS, "2026-11-29 18:00"),
    ("Нужен врач в отель, срочно", C.WELLNESS, "2026-11-28 15:00"),  # urgent: now
    ("Экскурсия по Кремлю с гидом во вторник в 10:00", C.TOURS, "2026-12-01 10:00"),
    ("Музей завтра в 11:00, экскурсия на английском", C.TOURS, "2026-11-29 11:00"),
    ("Помогите найти переводчика", C.OTHER, None),
    # Arabic
    ("احجز لي سيارة مرسيدس غدا الساعة 8 مساء من فندق ريتز", C.CHAUFFEUR, "2026-11-29 20:00"),
    ("أحتاج سائق اليوم الساعة 9 مساء", C.CHAUFFEUR, "2026-11-28 21:00"),
    ("توصيل إلى المطار بعد غد الساعة 6 صباحا", C.CHAUFFEUR, "2026-11-30 06:00"),
    ("سيارة ليموزين الليلة الساعة ١٠", C.CHAUFFEUR, "2026-11-28 22:00"),
    ("أريد طاولة لشخصين في مطعم بوشكين غدا الساعة 9 مساء", C.DINING, "2026-11-29 21:00"),
    ("حجز عشاء في مطعم يوم الجمعة الساعة 20:00", C.DINING, "2026-12-04 20:00"),
    ("غداء لـ 4 أشخاص اليوم الساعة 2 ظهرا", C.DINING, "2026-11-28 14:00"),
    ("جناح في فندق فور سيزونز من يوم الخميس", C.HOTEL, "2026-12-03"),
    ("غرفة في فندق متروبول لليلتين من 5 ديسمبر", C.HOTEL, "2026-12-05"),
    ("طائرة خاصة إلى دبي يوم الجمعة الساعة 14:00", C.AVIATION, "2026-12-04 14:00"),
    ("مروحية غدا الساعة 12:00", C.AVIATION, "2026-11-29 12:00"),
    ("تذكرتان لعرض الباليه في البولشوي يوم 5 ديسمبر", C.EVENTS, "2026-12-05"),
    ("تذاكر لمباراة كرة القدم يوم الأحد الساعة 19:00", C.EVENTS, "2026-11-29 19:00"),
    ("باقة ورد لزوجتي غدا الساعة 11 صباحا", C.SHOPPING, "2026-11-29 11:00"),
    ("أريد هدية من متجر مجوهرات اليوم", C.SHOPPING, "2026-11-28"),
    ("أحتاج حارس شخصي الليلة الساعة 8", C.SECURITY, "2026-11-28 20:00"),
    ("موعد تدليك في السبا غدا الساعة 6 مساء", C.WELLNESS, "2026-11-29 18:00"),
    ("أحتاج طبيب بشكل عاجل", C.WELLNESS, "2026-11-28 15:00"),
    ("جولة في الكرملين بعد غد الساعة ١٠ صباحا لـ 3 أشخاص", C.TOURS, "2026-11-30 10:00"),
    ("مرشد سياحي يتحدث العربية يوم الثلاثاء", C.TOURS, "2026-12-01"),
    ("هل يمكنكم مساعدتي في ترجمة وثيقة؟", C.OTHER, None),
]


def test_the_table_is_large_and_covers_every_language_and_category() -> None:
    assert len(TABLE) >= 60
    assert {category for _, category, _ in TABLE} == set(Category)


@pytest.mark.parametrize(("text", "category", "when"), TABLE)
def test_category_and_time(text: str, category: Category, when: str | None) -> None:
    understood = understand(text, NOW, MSK)
    assert understood.category is category
    if when is None:
        assert understood.when is None
    elif len(when) == 10:
        assert understood.when is not None and understood.when.strftime("%Y-%m-%d") == when
        assert not understood.time_known
    else:
        assert understood.when is not None and understood.when.strftime("%Y-%m-%d %H:%M") == when
        assert understood.time_known and understood.when.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "guests"),
    [
        ("A table for 4 tomorrow", 4),
        ("table for two", 2),
        ("6 people", 6),
        ("Столик на четверых", 4),
        ("на 5 человек", 5),
        ("لـ 3 أشخاص", 3),
        ("طاولة لشخصين", 2),
        ("Нас будет трое", 3),
        ("нас четверо, столик у окна", 4),
        ("Нас будет 5", 5),
        ("We'll be four", 4),
        ("there are 3 of us", 3),
        ("a party of 6 at Pushkin", 6),
        ("نحن ثلاثة أشخاص", 3),
        ("سنكون 4", 4),
        ("أريد حجز طاولة لأربعة أشخاص في مطعم بوشكين", 4),
        ("نبي حجز مطعم لخمس اشخاص الليلة", 5),
        ("كافيه بوشكين بكرة، خمسة اشخاص", 5),
        ("الغدا يوم الجمعة لعشرة اشخاص", 10),
        ("مساج لاربع اشخاص في سبا الفندق", 4),
        ("we are 2 hours late", None),
        ("нас будет ждать водитель", None),
        ("a car for 3 hours", None),
        ("bodyguard for 3 days", None),
        # a duration, a distance or a share is no party (the driver's 20 minutes late were 20 guests)
        ("Водитель опоздал на 20 минут", None),
        ("Вертолёт на 30 мин", None),
        ("Машина на 2 недели", None),
        ("Апартаменты на 3 месяца", None),
        ("на 40 км", None),
        ("скидка на 10%", None),
        ("A car for 20 minutes", None),
        ("A yacht for 2 weeks", None),
        ("Villa for 3 months", None),
        ("Столик на 4 человека на 20:00", 4),
    ],
)
def test_party_size(text: str, guests: int | None) -> None:
    assert understand(text, NOW, MSK).guests == guests


def test_places_and_budget() -> None:
    understood = understand("A car from the Ritz to Vnukovo, budget up to 20 000 RUB", NOW, MSK)
    assert understood.places == ("The Ritz-Carlton", "Vnukovo (VKO)")
    assert understood.budget == Money.of("20000", "RUB")
    assert understand("Flowers, up to $500", NOW, MSK).budget == Money.of("500", "USD")
    assert understand("بميزانية 5000 دولار", NOW, MSK).budget == Money.of("5000", "USD")
    for huge in ("9" * 20, "9" * 400):  # beyond any amount (or a float): no budget, and no failure
        assert understand(f"A yacht, budget {huge} RUB", NOW, MSK).budget is None
    assert understand("A car at 8", NOW, MSK).budget is None


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        # the amount said with its currency, not the first number: a time, a day, a party, a room number
        ("Car tomorrow 20:30 budget 12500 rub", Money.of("12500", "RUB")),
        ("Car tonight at 20:30, up to $300", Money.of("300", "USD")),
        ("Table for 12 people on Friday, budget 90000 rub", Money.of("90000", "RUB")),
        ("Столик на 4 персоны 12 декабря, бюджет до 50 000 руб", Money.of("50000", "RUB")),
        ("ужин на 10 человек, до 100к руб", Money.of("100000", "RUB")),
        ("A yacht on 14.12 for 3 hours, budget 300k rub", Money.of("300000", "RUB")),
        ("Room 1205 late checkout, up to 5000 rub", Money.of("5000", "RUB")),
        ("سيارة مع سائق غداً الساعة ٢٠:٣٠، الميزانية ١٢٥٠٠ روبل", Money.of("12500", "RUB")),
        ("طاولة لـ ١٠ أشخاص يوم الجمعة بميزانية ٥٠٠٠ دولار", Money.of("5000", "USD")),
        ("A dinner on the 19th, budget 2000 eur", Money.of("2000", "EUR")),
        # a decimal comma before thousands ("1,5к" is 1 500, not 5 000 nor 15 000)
        ("Бюджет 1,5к руб на цветы", Money.of("1500", "RUB")),
        ("цветы, бюджет 2,5 тыс руб", Money.of("2500", "RUB")),
        ("Budget 150 000 000 rub for the yacht week", Money.of("150000000", "RUB")),
        # a phone number is no budget
        ("Машину до аэропорта завтра, оплата в рублях, мой номер +7 916 123 45 67", None),
        ("Машину до аэропорта завтра, оплата в рублях, тел. 8 916 123 45 67", None),
        ("سيارة حتى المطار، الدفع بالدرهم، رقمي +971 50 123 4567", None),
        ("Call me on +7 916 123-45-67, budget 20000 rub", Money.of("20000", "RUB")),
        ("Тел. +7 (916) 123-45-67, бюджет 20 000 - 30 000 руб", Money.of("30000", "RUB")),
        # ranges and decimals are amounts, not phone numbers
        ("Ужин, бюджет 50 000-70 000 руб", Money.of("70000", "RUB")),
        ("бюджет 100000-150000 руб", Money.of("150000", "RUB")),
        ("Dinner for 4, budget 30000-50000 AED", Money.of("50000", "AED")),
        ("budget 15 000 000-20 000 000 руб", Money.of("20000000", "RUB")),
        ("бюджет 15 000 000.00 руб", Money.of("15000000", "RUB")),
    ],
)
def test_the_budget_is_the_amount_said_as_one(text: str, budget: Money | None) -> None:
    assert understand(text, NOW, MSK).budget == budget


def test_a_new_need_is_told_apart_from_more_about_the_same() -> None:
    car = understand("A car tonight at 8", NOW, MSK)
    assert describes_new_need(understand("Also a table for 4 at 9", NOW, MSK), car)
    assert not describes_new_need(understand("Make it a Maybach please", NOW, MSK), car)
    assert not describes_new_need(understand("Thank you!", NOW, MSK), car)
    assert Understanding.from_data(car.to_data()) == car


@pytest.mark.parametrize(
    ("open_text", "follow_up"),
    [
        ("Book a table at White Rabbit tonight at 8", "Also, is there parking near the restaurant?"),
        ("Book a table at White Rabbit tonight at 8", "Could we also have flowers on the table?"),
        ("A car to White Rabbit tonight at 8", "Also, is there parking near the restaurant?"),
        ("Столик в White Rabbit сегодня в 20:00", "А есть ли парковка рядом с рестораном?"),
        ("Столик в White Rabbit сегодня в 20:00", "Можно ещё цветы на стол?"),
        ("طاولة في مطعم بوشكين الليلة الساعة 8", "وهل يوجد موقف قرب المطعم؟"),
        ("طاولة في مطعم بوشكين الليلة الساعة 8", "وممكن كمان ورد على الطاولة؟"),
    ],
)
def test_a_question_or_an_also_about_the_open_request_belongs_to_it(open_text: str, follow_up: str) -> None:
    assert not describes_new_need(understand(follow_up, NOW, MSK), understand(open_text, NOW, MSK))


@pytest.mark.parametrize(
    ("open_text", "new_need"),
    [
        (
            "Book a table at White Rabbit tonight at 8",
            "Also, could you send a car to pick us up from the hotel?",
        ),
        ("Book a table at White Rabbit tonight at 8", "And tickets to the Bolshoi on Sunday?"),
        ("Столик в White Rabbit сегодня в 20:00", "Ещё нужна машина из отеля"),
        ("طاولة في مطعم بوشكين الليلة الساعة 8", "وأحتاج سيارة مع سائق من الفندق إلى المطعم"),
    ],
)
def test_a_new_service_still_opens_its_own_request(open_text: str, new_need: str) -> None:
    assert describes_new_need(understand(new_need, NOW, MSK), understand(open_text, NOW, MSK))


@pytest.mark.parametrize(
    ("text", "said_at", "when"),
    [
        ("Book the spa on the 10th around 3", NOW, "2026-12-10 15:00"),
        ("a massage at 3", NOW.replace(hour=1), "2026-11-28 15:00"),  # said at 1 a.m.: still the afternoon
        ("a massage at 3am", NOW.replace(hour=1), "2026-11-28 03:00"),
        ("dinner 7.30pm tomorrow", NOW, "2026-11-29 19:30"),
        ("7.30pm tomorrow", NOW, "2026-11-29 19:30"),
        ("Столик на 7.30 вечера завтра", NOW, "2026-11-29 19:30"),
        ("a table on the 15th", NOW, "2026-12-15"),
        ("a table on the 30th at 8pm", NOW, "2026-11-30 20:00"),
        ("столик на 15-е", NOW, "2026-12-15"),
        ("столик 15 числа в 20:00", NOW, "2026-12-15 20:00"),
        ("طاولة يوم 15 الساعة 8 مساء", NOW, "2026-12-15 20:00"),
        ("a car in half an hour", NOW, "2026-11-28 15:30"),
        ("машину через полчаса", NOW, "2026-11-28 15:30"),
        ("سيارة بعد نص ساعة", NOW, "2026-11-28 15:30"),
        ("سيارة بعد نصف ساعة", NOW, "2026-11-28 15:30"),
        ("a car in an hour", NOW, "2026-11-28 16:00"),
        ("машину через час", NOW, "2026-11-28 16:00"),
    ],
)
def test_times_clients_write(text: str, said_at: datetime, when: str) -> None:
    understood = understand(text, said_at, MSK)
    assert understood.when is not None
    shown = understood.when.strftime("%Y-%m-%d %H:%M" if understood.time_known else "%Y-%m-%d")
    assert shown == when
    assert not understood.time_past


@pytest.mark.parametrize(
    "text",
    ["a table tonight at 8", "столик сегодня в 20:00", "طاولة الليلة الساعة 8", "a guide this morning"],
)
def test_a_time_already_past_is_kept_and_marked(text: str) -> None:
    late = NOW.replace(hour=21, minute=18)
    understood = understand(text, late, MSK)
    assert understood.when is not None and understood.when < late and understood.time_past
    assert Understanding.from_data(understood.to_data()).time_past  # kept with the request
    assert not understand(text, NOW.replace(hour=7), MSK).time_past


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Do you have a driver available?", C.CHAUFFEUR),
        ("У вас есть свободные столики в Пушкине?", C.DINING),
        ("هل عندكم سائق متاح؟", C.CHAUFFEUR),
        ("Is the spa open?", C.OTHER),  # about a service, not for one: relayed, or added to the open request
        ("How much is the car?", C.OTHER),
    ],
)
def test_a_question_for_what_can_be_had_still_asks_for_it(text: str, category: Category) -> None:
    understood = understand(text, NOW, MSK)
    assert understood.category is category and understood.asks is (category is not C.OTHER)


@pytest.mark.parametrize(
    "text",
    [
        "Actually, cancel the White Rabbit table, we'll eat at the hotel",
        "Please cancel the car for tomorrow, we will take a taxi",
        "Cancel the dinner tonight please, we're too tired",
        "Отмените, пожалуйста, столик в White Rabbit, мы поужинаем в отеле",
        "Отмените машину на завтра",
        "ألغوا حجز المطعم، سنتناول العشاء في الفندق",
        "الغي السيارة بكره لو سمحت",
    ],
)
def test_a_cancellation_asks_for_nothing_new(text: str) -> None:
    """Found by hand: "cancel the table, we'll eat at the hotel" opened a new dining request (and its client
    was told it was received) — it is about what is open, for the assistant to cancel."""
    read = understand(text, NOW, MSK)
    assert not read.asks and read.follow_up, read


@pytest.mark.parametrize(
    "text",
    [
        "Cancel the car and book us a table at Nobu instead",
        "Отмените машину, лучше закажите вертолёт",
        "الغوا السيارة وابي طاولة في مطعم نوبو",
    ],
)
def test_a_cancellation_that_asks_for_something_else_still_asks(text: str) -> None:
    assert understand(text, NOW, MSK).asks
