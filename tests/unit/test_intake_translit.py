"""Russian in Latin letters back in Cyrillic: realistic messages, spelling variants, clock words, what stays
as written, and the Latin messages that are not Russian at all: English, Arabizi, addresses, flights."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.intake import Category, understand
from domain.intake.translit import from_translit


@pytest.mark.parametrize(
    ("message", "cyrillic"),
    [
        (
            "nuzhna mashina zavtra v 8 utra iz Ritz v Sheremetyevo",
            "нужна машина завтра в 8 утра из Ritz в Sheremetyevo",
        ),
        ("zabronirujte stolik na dvoih segodnya v 20:00", "забронируйте столик на двоих сегодня в 20:00"),
        ("mozhno bilety v bolshoi na subbotu", "можно билеты в bolshoi на субботу"),
        ("vstretite menya v aeroportu cherez 2 chasa", "встретите меня в аэропорту через 2 часа"),
        ("Nuzhen voditel' na ves' den', pojaluista", "нужен водитель на весь день, пожалуйста"),
        ("khochu zakazat' transfer iz aeroporta", "хочу заказать трансфер из аэропорта"),
        ("xochu stolik v restorane na chetveryh", "хочу столик в ресторане на четверых"),
        ("nam nuzhny bilety v teatr na pyatnicu", "нам нужны билеты в театр на пятницу"),
        ("mne nuzhen vrach srochno", "мне нужен врач срочно"),
        ("gde blizhayshaya apteka?", "где ближайшая аптека?"),
        ("kupite tsvety dlya zheny, buket roz", "купите цветы для жены, букет роз"),
        ("mozhno ekskursiyu po Kremlyu v ponedel'nik?", "можно экскурсию по кремлю в понедельник?"),
        ("zaberite menya iz otelya cherez polchasa", "заберите меня из отеля через полчаса"),
        (
            "Dobryi den! Mozhno zabronirovat stolik na 19:30?",
            "добрый день! можно забронировать столик на 19:30?",
        ),
        ("5 dekabrya v sem chasov", "5 декабря в семь часов"),
        ("v voskresenye utrom", "в воскресенье утром"),
        ("kogda budet mashina?", "когда будет машина?"),
        ("na skol'ko chelovek? na troih", "на сколько человек? на троих"),
        ("stolik na 4 persony v 21:00", "столик на 4 персоны в 21:00"),
        ("spasibo", "спасибо"),
        ("pozhaluysta", "пожалуйста"),
        ("da, spasibo", "да, спасибо"),
        ("Privet", "привет"),
        ("NUZHNA MASHINA ZAVTRA V 8", "нужна машина завтра в 8"),
        # words the lexicon lacks, spelled by the rules
        ("prinesite pozhaluysta vodu v nomer", "принесите пожалуйста воду в номер"),
        ("nuzhny novye bilety, starye poteryali", "нужны новые билеты, старые потеряли"),
        ("mozhno organizovat' vstrechu s gidom?", "можно организовать встречу с гидом?"),
        ("nuzhen krasivyi buket i shampanskoe", "нужен красивый букет и шампанское"),
    ],
)
def test_a_russian_message_in_latin_letters_comes_back_in_cyrillic(message: str, cyrillic: str) -> None:
    assert from_translit(message) == cyrillic


@pytest.mark.parametrize(
    ("spellings", "cyrillic"),
    [
        (("nuzhna", "nujna", "nuzna", "NUZHNA"), "нужна"),
        (("khochu", "hochu", "xochu", "ho4u", "kho4u"), "хочу"),
        (("segodnya", "segodnja", "segodnia", "sevodnya"), "сегодня"),
        (
            ("pozhaluysta", "pozhalujsta", "pozhaluista", "pojaluysta", "pozhalusta", "pozhalsta"),
            "пожалуйста",
        ),
        (("dvoih", "dvoikh", "dvoix"), "двоих"),
        (("cherez", "4erez", "Cherez"), "через"),
        (("seychas", "sejchas", "seichas", "se4as"), "сейчас"),
        (("eshche", "eshchyo", "yeshchyo", "esche", "eshe", "eshjo"), "еще"),  # ё as е
        (("vstretite", "wstretite"), "встретите"),
        (("pyatnicu", "pyatnitsu", "pjatnicu", "piatnicu"), "пятницу"),
        (("desyat'", "desyat", "desjat", "desiat"), "десять"),
        (("odinnadtsat'", "odinnadcat", "odinadtsat", "odinnatsat"), "одиннадцать"),
        (("vertolyot", "vertolet", "vertoljot"), "вертолет"),
        (("mozhno", "mojno", "mozno"), "можно"),
        (("shchas", "schas"), None),  # not a word the lexicon has: the rules spell it
    ],
)
def test_spelling_variants_give_one_cyrillic_word(spellings: tuple[str, ...], cyrillic: str | None) -> None:
    for spelling in spellings:
        converted = from_translit(f"mne nuzhen voditel' {spelling} zavtra")
        assert converted is not None
        if cyrillic is not None:
            assert converted == f"мне нужен водитель {cyrillic} завтра", spelling
        else:
            assert converted.split()[3] == "щас", spelling


@pytest.mark.parametrize(
    ("message", "cyrillic"),
    [
        ("na polvos'mogo", "на полвосьмого"),
        ("na polvosmogo", "на полвосьмого"),
        ("k pol vos'mogo vechera", "к пол восьмого вечера"),
        ("zavtra pol-vos'mogo", "завтра пол-восьмого"),
        ("v polovine devyatogo", "в половине девятого"),
        ("bez chetverti desyat'", "без четверти десять"),
        ("bez pyatnadtsati desyat", "без пятнадцати десять"),
        ("bez dvadtsati vosem", "без двадцати восемь"),
        ("bez desyati dvenadcat", "без десяти двенадцать"),
        ("chetvert' vos'mogo", "четверть восьмого"),
        ("cherez poltora chasa", "через полтора часа"),
        ("cherez dva chasa", "через два часа"),
        ("4erez 15 minut", "через 15 минут"),
        ("v dvenadtsat nochi", "в двенадцать ночи"),
        ("v odinnadcat' utra", "в одиннадцать утра"),
        ("k trem chasam dnya", "к трем часам дня"),
    ],
)
def test_clock_words(message: str, cyrillic: str) -> None:
    assert from_translit(message) == cyrillic


@pytest.mark.parametrize(
    ("spelling", "cyrillic"),
    [
        ("pervogo", "первого"),
        ("vtorogo", "второго"),
        ("tret'ego", "третьего"),
        ("tretyego", "третьего"),
        ("tretego", "третьего"),
        ("chetvertogo", "четвертого"),
        ("chetvyortogo", "четвертого"),
        ("pyatogo", "пятого"),
        ("shestogo", "шестого"),
        ("sed'mogo", "седьмого"),
        ("sedmogo", "седьмого"),
        ("vos'mogo", "восьмого"),
        ("vosmogo", "восьмого"),
        ("vosmovo", "восьмого"),
        ("devyatogo", "девятого"),
        ("desyatogo", "десятого"),
        ("odinnadtsatogo", "одиннадцатого"),
        ("dvenadtsatogo", "двенадцатого"),
        ("poldvenadtsatogo", "полдвенадцатого"),
        ("polpervogo", "полпервого"),
    ],
)
def test_ordinal_hours(spelling: str, cyrillic: str) -> None:
    assert from_translit(f"v polovine {spelling}") == f"в половине {cyrillic}"


@pytest.mark.parametrize(
    ("message", "cyrillic"),
    [
        # numbers, clocks, flight numbers, Latin names and brands stay as written
        (
            "vstretite nas v Sheremetyevo, reis SU 1234, v 14:30",
            "встретите нас в Sheremetyevo, рейс SU 1234, в 14:30",
        ),
        ("Uber ne nado, nuzhen Maybach", "Uber не надо, нужен Maybach"),
        ("mozhno Mercedes S-class s VIP vstrechej", "можно Mercedes S-class с VIP встречей"),
        ("mozhno S class na zavtra", "можно S class на завтра"),
        ("nuzhen vip-zal na dvoih", "нужен vip-zal на двоих"),
        ("Sheremetyevo terminal D v 6 utra pls", "Sheremetyevo terminal D в 6 утра pls"),
        (
            "zabroniruyte pozhalujsta uzhin na dvoih v Pushkine",
            "забронируйте пожалуйста ужин на двоих в Pushkine",
        ),
        ("moi nomer ivan@mail.ru, zvonite zavtra", "мои номер ivan@mail.ru, звоните завтра"),
        (
            "vot menyu https://ritz.ru/menu?lang=ru, nuzhen stolik",
            "вот меню https://ritz.ru/menu?lang=ru, нужен столик",
        ),
        # English words in a Russian message stay English, where intake reads them; words both spell alike
        # ("taxi", "bar", "transfer") are written in Cyrillic
        ("nuzhen driver na zavtra v 9", "нужен driver на завтра в 9"),
        ("mozhno taxi v lobby cherez 10 minut", "можно такси в lobby через 10 минут"),
        ("ok spasibo", "ok спасибо"),
        ("spasibo Anna", "спасибо Anna"),
    ],
)
def test_what_is_not_russian_stays_as_written(message: str, cyrillic: str) -> None:
    assert from_translit(message) == cyrillic


@pytest.mark.parametrize(
    "message",
    [
        # English, with the digits and prepositions Russian has too ("a", "i", "do", "no", "to", "on")
        "I need a car tomorrow at 8",
        "Do you have a table for 2 tonight at 8?",
        "No, I do not want to go on Friday",
        "Can Sam pick me up at 8?",
        "Please book a table at Zavtra restaurant",
        "I need a car for Zavtra",
        "Book me a table at Mari Vanna for two",
        "Dr. Zhivago at 8 please",
        "room 512",
        "SU 1234",
        "ETA 20 min, I am in the lobby",
        "A personal shopper for 3 persons, da?",
        "transfer to Vnukovo on Monday at 14:30",
        # Arabizi
        "abi sayara bukra",
        "ana 3ayez 3arabeya bokra",
        "ya habibi shukran",
        "inta fen? ana fi el lobby",
        # other languages
        "Quiero una mesa para dos mañana",
        "Ich brauche noch ein Taxi",
        # names, addresses, small talk, single short words
        "Ivan Petrov",
        "Anna",
        "ok",
        "no problem",
        "na",
        "da",
        "ya v lobby",
        "ivan.petrov@mail.ru",
        "https://ritz.ru/booking?na=2&v=8",
        "",
        "👍",
        # already Cyrillic or Arabic: intake reads it as it is
        "нужна машина zavtra",
        "ابي سيارة bukra",
    ],
)
def test_what_is_not_russian_in_latin_letters_gives_none(message: str) -> None:
    assert from_translit(message) is None


MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=MSK)  # a Saturday


@pytest.mark.parametrize(
    ("message", "category", "when"),
    [
        ("nuzhna mashina zavtra v 8 utra iz Ritz v Sheremetyevo", Category.CHAUFFEUR, "2026-11-29 08:00"),
        ("zabronirujte stolik na dvoih segodnya v 20:00", Category.DINING, "2026-11-28 20:00"),
        ("mozhno bilety v bolshoi na subbotu", Category.EVENTS, "2026-12-05 00:00"),
        ("vstretite menya v aeroportu cherez 2 chasa", Category.CHAUFFEUR, "2026-11-28 17:00"),
        ("nuzhen voditel' v vosem vechera", Category.CHAUFFEUR, "2026-11-28 20:00"),
        ("mozhno ekskursiyu po Kremlyu vo vtornik v 10:00", Category.TOURS, "2026-12-01 10:00"),
        ("uzhin v restorane v subbotu v 9 vechera", Category.DINING, "2026-12-05 21:00"),
        ("nujen massaj v spa zavtra v 18:00", Category.WELLNESS, "2026-11-29 18:00"),
    ],
)
def test_intake_reads_what_comes_back(message: str, category: Category, when: str) -> None:
    cyrillic = from_translit(message)
    assert cyrillic is not None
    understood = understand(cyrillic, NOW, MSK)
    assert understood.category is category
    assert understood.when is not None and understood.when.strftime("%Y-%m-%d %H:%M") == when


def test_thanks_in_latin_letters_is_small_talk_once_in_cyrillic() -> None:
    assert understand(from_translit("spasibo bolshoe") or "", NOW, MSK).small_talk


_WORDS = ["nuzhna", "mashina", "zavtra", "v", "na", "Ritz", "I", "need", "a", "car", "3ala", "pyat'", "SU"]


@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text("0123456789:,.!?- @/'", max_size=4)), max_size=12))
def test_only_words_change(parts: list[str]) -> None:
    text = " ".join(parts)
    converted = from_translit(text)
    if converted is not None:  # digits, punctuation and spacing stay where they were
        assert re.sub(r"[^\d\s:,.!?@/-]", "", converted) == re.sub(r"[^\d\s:,.!?@/-]", "", text)
