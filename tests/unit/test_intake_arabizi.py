"""Arabizi (Arabic in Latin letters and digits) written in Arabic script for intake's Arabic rules, and every
other Latin-script message left alone. 'Now' is Saturday 28 November 2026, 15:00 in Moscow."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.intake import Category, understand
from domain.intake.arabizi import LEXICON, from_arabizi
from domain.intake.text import normalize

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=MSK)
C = Category

CONVERTED = [
    ("abi sayyara bukra el sa3a 7 el sob7", "ابي سياره بكره الساعه 7 الصباح"),
    ("Abi sayara bokra essa3a 7 elsob7", "ابي سياره بكره الساعه 7 الصباح"),
    ("abgha sawwa8 el7een law sama7t", "ابغي سايق الحين لو سمحت"),
    ("mumkin ta7jezli 6awla l 4 ashkha9 el lela el sa3a 9", "ممكن تحجزلي طاوله ل 4 اشخاص الليله الساعه 9"),
    ("a7taj 6abeeb bsur3a", "احتاج طبيب بسرعه"),
    ("abi 3asha bukra el sa3a tis3a bil lail", "ابي عشاء بكره الساعه التاسعه بالليل"),
    ("abi 2 tathaker 7afla yom el jum3a", "ابي 2 تذاكر حفله يوم الجمعه"),
    ("abi yakht bukra el 3asr", "ابي يخت بكره العصر"),
    ("abi 7aris shakh9i 3gub bachir", "ابي حارس شخصي بعد بكره"),
    ("ba3d nos sa3a wadeni el ma6ar", "بعد نص ساعه وديني المطار"),
    ("wasselni el fondo8 ba3d rub3 sa3a", "وصلني الفندق بعد ربع ساعه"),
    (
        "a7jez 6awla 7ag 6 ashkha9 el khamees el sa3a 8 el masa",
        "احجز طاوله حق 6 اشخاص الخميس الساعه 8 المساء",
    ),
    ("abi hadiya w ward 7ag zawjti", "ابي هديه و ورد حق زوجتي"),
    ("bdi murshid w jawla bel mat7af bukra el sob7", "بدي مرشد و جوله بالمتحف بكره الصباح"),
    ("abi 6ayara khasa ila dubai yom el sabt el fajr", "ابي طياره خاصه الي dubai يوم السبت الفجر"),
    ("shukran, ya3tik el 3afya!", "شكرا, يعطيك العافيه!"),
    ("mashkoor 7abibi tamam", "مشكور حبيبي تمام"),
    ("mumkin dawa min el 9aydaliya", "ممكن دواء من الصيدليه"),
    ("abi ghada l shakh9een el yom el dhuhr", "ابي غداء لشخصين اليوم الظهر"),
    ("ba3d 9alat el jum3a abi sayara", "بعد صلاه الجمعه ابي سياره"),
    ("mu el yom, bukra", "مو اليوم, بكره"),
    ("ee aywa, na3am", "اي ايوه, نعم"),
    ("la mu hatha, abi badal", "لا مو هذا, ابي بدل"),
    ("min fadlak abi 3iyada qareeb", "من فضلك ابي عياده قريب"),
    ("ana w zawji nabi ghorfa 3 layali", "انا و زوجي نبي غرفه 3 ليالي"),
    ("abi sayara ams el bare7 ma ja el sawwa8", "ابي سياره امس البارحه ما ja السايق"),
    ("ABI SAYARA BUKRA", "ابي سياره بكره"),
    ("el sa3a 7da3ash bil lail", "الساعه الحاديه عشره بالليل"),
    ("bukra 7pm", "بكره 7pm"),
    ("shukran", "شكرا"),
    ("inshallah", "ان شاء الله"),
]


@pytest.mark.parametrize(("text", "arabic"), CONVERTED)
def test_arabizi_is_written_in_arabic_script(text: str, arabic: str) -> None:
    assert from_arabizi(text) == arabic


# each concept, spelled the ways clients spell it: the lexicon lists a few, the spelling key finds the rest
SPELLINGS = {
    "سياره": "sayara sayyara sayyarah syara sayarah Sayara sayaara saiyara",
    "بكره": "bukra bokra bkra bukrah bokrah bachir bacher baacher bachr",
    "ساعه": "sa3a saa3a sa3ah sa3aa s3a",
    "الساعه": "el-sa3a elsa3a essa3a alsa3a assa3a is-sa3a",
    "الصباح": "elsob7 alsubh essob7 el-sob7 elsubh es9ob7 assubh",
    "الحين": "el7een al7in alheen el7in alhin",
    "الليله": "allela ellela el-lela allaila elleila",
    "اليوم": "elyom alyoum elyoum alyawm el-yom",
    "ابي": "abi aby abee abbi",
    "ابغي": "abgha abghi ab8a abga abgi bghet ba3'et",
    "احتاج": "a7taj ahtaj e7taj a7tag",
    "ممكن": "mumkin momken mumken mmkn mumkn momkin",
    "احجز": "a7jez a7jiz a7jz ahjez e7jez a7jaz",
    "حجز": "7ajz 7ajez hajz 7jz 7agz",
    "سايق": "sawwa8 sawag sawaq sayeg sa2eq sa2ig sawa8 sawwag",
    "وديني": "wadeni waddini wadini waddeeni",
    "خذني": "khathni 5athni khedni 5edni khudni 5idni",
    "وصلني": "wasselni wa9elni wa9alni wasalni wa9lni wassilni",
    "عشاء": "3asha 3ashaa 3asha2 3sha 3isha 3esha",
    "غداء": "ghada gada 8ada ghadaa ghada2 ghda",
    "فطور": "ftoor fatoor fotoor ftor fu6oor riyoog reyoog ryoog",
    "طاوله": "6awla tawla 6awlah tawlah 6owla towla 6aawla",
    "مطعم": "mat3am mat3em mt3m ma63am",
    "فندق": "fondo8 fondog fundu8 funduq fndq fondoq fundug",
    "غرفه": "ghorfa ghurfa 8orfa gurfa ghrfa ghorfah",
    "تذكره": "tathkara tadhkara tazkara tathkarah tathkra",
    "تذاكر": "tadhaker tathaker tazaker tathakir",
    "حفله": "7afla 7afleh hafla 7aflah 7afle",
    "طبيب": "6abeeb tabib 6beeb tabeeb 6abib",
    "عياده": "3iyada 3eyada 3yada 3yadah 3eyadeh",
    "صيدليه": "9aydaliya saydaliya 9aidalia 9aydaleya 9ydlya 9aydalya saydaliyya",
    "دواء": "dawa dawaa dawa2",
    "مساج": "masaj massaj masaaj",
    "تسوق": "tasawwog tasawo8 tasawuq tsawg tasawog",
    "هديه": "hadiya hadiyah hdiya hadeya hadyah",
    "زهور": "zhoor zohoor zhour zuhoor",
    "مرشد": "murshid morshed mrshd murshed",
    "جوله": "jawla jola jawlah jolah jowla",
    "متحف": "mat7af mat7f mathaf",
    "يخت": "yakht ya5t",
    "طياره": "6ayara tayyara 6yara tayara 6ayyara",
    "حارس": "7aris 7ares haris 7arris",
    "حمايه": "7imaya 7emaya himaya 7maya",
    "اشخاص": "ashkha9 ashkhas ash5a9 ash5as ashkhaas",
    "شكرا": "shukran shokran shukrn shkran chokran shukraan",
    "مشكور": "mashkoor mashkur mshkor mashkour",
    "تسلم": "tislam teslam tslm",
    "ايوه": "aywa aiwa aywah ewa eiwa",
    "نعم": "na3am n3am na3m",
    "تمام": "tamam tmam tammam tamaam",
    "زين": "zain zein zeen zayn",
    "احد": "a7ad ahad 7ad",
    "الاحد": "el-a7ad ela7ad",
    "بدل": "badal bdal badaal badl",
    "امس": "ams amss",
    "البارحه": "elbare7 albar7a elbara7",
    "الاثنين": "elithnain eletnen alithnain el-ithnayn",
    "الثلاثاء": "elthulatha elthalatha",
    "الاربعاء": "elarba3a elarbe3a",
    "الخميس": "elkhamees el5amees alkhamis",
    "الجمعه": "eljum3a aljim3a eljom3a",
    "السبت": "elsabt assabt essabt",
    "نص": "nos nus nu9 ni9 nuss",
    "ربع": "rub3 roba3 rb3",
    "دقايق": "da8ayi8 dagayeg d8ayg daqayeq d8aye8",
    "قبل": "gabl 8abl qabl gbl gabel qabel",
    "بعد": "ba3d ba3ad b3d ba3ed",
    "ساعتين": "sa3teen sa3tain sa3atain",
    "المساء": "elmasa almasa elmasaa",
    "العصر": "el3asr al3asr el3a9r",
    "حالا": "7alan halan",
    "الان": "al2an alaan el2an",
    "المطار": "elma6ar alma6ar elmatar",
    "صلاه": "9alat salat 9ala",
    "الظهر": "eldhuhr althuhr elduhur elzuhr eldohr",
    "المغرب": "elmaghrib almaghreb elmagrib",
    "الفجر": "elfajr alfajer elfajir",
    "العشاء": "el3isha al3esha",
    "السابعه": "elsab3a essab3a",
    "الثامنه": "elthamna elthamanya",
}


@pytest.mark.parametrize(
    ("spelling", "arabic"),
    [(s, arabic) for arabic, spellings in SPELLINGS.items() for s in spellings.split()],
)
def test_each_spelling_of_a_word_gives_the_same_arabic(spelling: str, arabic: str) -> None:
    assert from_arabizi(spelling) == arabic


NOT_ARABIZI = [
    # English, with digits, codes, addresses and the Arabic words English has taken
    "I want a car at 7",
    "room 512",
    "Hotel room 7B, 2nd floor",
    "Mercedes S-class tonight",
    "Flight EK 132 lands at 7",
    "EK132 at 19:30",
    "4pax tonight at 8",
    "Please book Zuma at 7:30pm for 4",
    "my email is sara7@gmail.com",
    "https://maps.app.goo.gl/Ab7cdEf9",
    "@layla7 sent it",
    "call me on +971 50 123 4567",
    "BMW X5 or Audi A7 please",
    "Mercedes G63 AMG at the lobby",
    "booking ref AB7CD9",
    "CA7",
    "hunter2",
    "commit fbf2fec",
    "gr8 see u l8r",
    "h2o and co2",
    "See you at 9, thanks!",
    "ok",
    "Salam, I need a car tomorrow",
    "Inshallah see you tomorrow",
    "Shukran, see you tomorrow",
    "My wife Layla needs a doctor",
    "Layla",
    "Table at La Petite Maison at 8",
    "Zen spa massage at 5",
    "Is there a fee for parking?",
    "Sit by the window please",
    "I bet the ward is closed",
    "la la land tickets x2",
    "Ana will join us at 8",
    "Mo will pick me up at 6",
    "the men at the door",
    "I want it in 10 min",
    "Here's the hotel, they're waiting",
    "Can you get me a sorry note, hello",
    # Russian in Latin letters
    "nuzhna mashina zavtra",
    "ya hochu stolik na 7 vechera",
    "mne nuzhen voditel zavtra v 9",
    "privet, spasibo",
    "zakazhite mashinu v aeroport",
    "Mozhno stolik na dvoih segodnya",
    # no Latin words at all
    "",
    "7",
    "19:30",
    "ابي سياره بكره",
    "Машину на завтра",
    "🙏",
]


@pytest.mark.parametrize("text", NOT_ARABIZI)
def test_what_is_not_arabizi_gives_none(text: str) -> None:
    assert from_arabizi(text) is None


def test_a_digit_in_a_word_is_a_letter_and_a_number_stays_a_number() -> None:
    assert from_arabizi("sa3a 7") == "الساعه 7"
    assert from_arabizi("el sa3a 7:30 el masa") == "الساعه 7:30 المساء"
    assert from_arabizi("abi 4 tathaker bukra 8pm") == "ابي 4 تذاكر بكره 8pm"
    assert from_arabizi("abi ghorfa 512 bukra") == "ابي غرفه 512 بكره"
    assert from_arabizi("6awla l 4pax bukra") == "طاوله ل 4pax بكره"  # 4pax: a number with its unit
    assert from_arabizi("9ba7 el 5air") == "صباح الخير"  # 9 and 5 are letters inside a word, 7 too
    assert from_arabizi("abi ma7al 3ood bukra") == "ابي محل عود بكره"  # unknown words, letter by letter


def test_the_article_written_apart_or_attached() -> None:
    for said in ("el sob7", "elsob7", "el-sob7", "essob7", "al subh", "alsubh", "il sob7"):
        assert from_arabizi(f"bukra {said}") == "بكره الصباح", said
    assert from_arabizi("abi sayara bel lail") == from_arabizi("abi sayara bellail") == "ابي سياره بالليل"
    assert from_arabizi("a7jez lel mat3am") == from_arabizi("a7jez lelmat3am") == "احجز للمطعم"
    assert from_arabizi("wadeni l el fondo8") == "وديني للفندق"
    assert from_arabizi("abi ghorfa fel fondo8") == "ابي غرفه في الفندق"
    assert from_arabizi("abi sayara 3al sa3a 7") == "ابي سياره علي الساعه 7"  # (normalized: ى as ي)
    assert from_arabizi("abi sayara wel sawwa8") == "ابي سياره والسايق"
    assert from_arabizi("abi sayara wbukra") == "ابي سياره وبكره"
    assert from_arabizi("abi sayara ila el Ritz") == "ابي سياره الي el Ritz"  # no article on a name


def test_an_hour_after_sa3a_is_written_the_way_intake_reads_it() -> None:
    assert from_arabizi("el sa3a sab3a") == "الساعه السابعه"
    assert from_arabizi("el sa3a el sab3a") == "الساعه السابعه"
    assert from_arabizi("bukra sa3a tmanya") == "بكره الساعه الثامنه"
    assert from_arabizi("bukra el sa3a ithnain") == "بكره الساعه الثانيه"
    assert from_arabizi("el sa3a 6na3sh") == "الساعه الثانيه عشره"
    assert from_arabizi("yom el ithnain") == "يوم الاثنين"  # with the article and no sa3a, a weekday
    assert from_arabizi("abi sayara ba3d sa3a") == "ابي سياره بعد ساعه"  # not an hour: in an hour
    assert from_arabizi("abi sayara ba3d sa3teen") == "ابي سياره بعد ساعتين"


def test_someone_and_sunday_are_one_word_as_in_arabic() -> None:
    assert from_arabizi("fi a7ad yigdar") == from_arabizi("fi 7ad yigdar")
    assert from_arabizi("abi 7ad ywadeeni") == "ابي احد يوديني"
    assert from_arabizi("yom el a7ad") == "يوم الاحد"


def test_mixed_arabizi_and_english() -> None:
    assert from_arabizi("abi doctor bukra") == "ابي doctor بكره"
    assert from_arabizi("abi taxi el7een plz") == "ابي taxi الحين plz"
    assert from_arabizi("mumkin table for 4 bukra 9pm") == "ممكن table for 4 بكره 9pm"
    assert from_arabizi("book me a car bukra el sob7") == "book me a car بكره الصباح"
    assert from_arabizi("abi spa w masaj el lela") == "ابي spa و مساج الليله"


def test_words_that_are_also_english_or_names_convert_only_inside_arabizi_and_in_lower_case() -> None:
    assert from_arabizi("la shukran") == "لا شكرا"
    assert from_arabizi("abi ward w hadiya") == "ابي ورد و هديه"
    assert from_arabizi("abi 6awla fi La Petite Maison bukra") == "ابي طاوله في La Petite Maison بكره"
    assert from_arabizi("abi sayara min el fondo8") == "ابي سياره من الفندق"
    assert from_arabizi("abi sayara ba3d 10 min") == "ابي سياره بعد 10 min"  # minutes, not من
    assert from_arabizi("abi sayara l Ahmed bukra") == "ابي سياره l Ahmed بكره"
    assert from_arabizi("Ahmed abi sayara bukra") == "Ahmed ابي سياره بكره"


INTAKE = [
    ("abi sayyara bukra el sa3a 7 el sob7", C.CHAUFFEUR, "2026-11-29 07:00"),
    ("abgha sawwa8 el7een", C.CHAUFFEUR, "2026-11-28 15:00"),
    ("ba3d nos sa3a wadeni el ma6ar", C.CHAUFFEUR, "2026-11-28 15:30"),
    ("abi sayara ba3d bukra el sa3a 10 el sob7", C.CHAUFFEUR, "2026-11-30 10:00"),
    ("mumkin ta7jezli 6awla l 4 ashkha9 el lela el sa3a 9", C.DINING, "2026-11-28 21:00"),
    ("a7jez 6awla 7ag 6 ashkha9 el khamees el sa3a 8 el masa", C.DINING, "2026-12-03 20:00"),
    ("abi ghada l shakh9een el yom el dhuhr", C.DINING, "2026-11-28 12:00"),
    ("nabi ghorfa fi fondo8 laylatain min bukra", C.HOTEL, "2026-11-29"),
    ("abi 6ayara khasa yom el jum3a", C.AVIATION, "2026-12-04"),
    ("abi tathaker 7afla bukra el sa3a 8 el masa", C.EVENTS, "2026-11-29 20:00"),
    ("abi hadiya w ward 7ag zawjti bukra", C.SHOPPING, "2026-11-29"),
    ("abi 7aris shakh9i 3gub bachir", C.SECURITY, "2026-11-30"),
    ("a7taj 6abeeb bsur3a", C.WELLNESS, "2026-11-28 15:00"),
    ("abi masaj bukra sa3a 6 el masa", C.WELLNESS, "2026-11-29 18:00"),
    ("bdi murshid w jawla bel mat7af bukra el sob7", C.TOURS, "2026-11-29 10:00"),
    ("abi yakht bukra el 3asr", C.TOURS, "2026-11-29 13:45"),  # Asr on Sunday, 13:47
    ("abi 3asha bukra el sa3a 8 bil lail", C.DINING, "2026-11-29 20:00"),
    ("wasselni el fondo8 bukra", C.CHAUFFEUR, "2026-11-29"),
    ("khathni el mall bukra", C.CHAUFFEUR, "2026-11-29"),
    ("abi sawwa8 bukra el sa3a 3 el fajr", C.CHAUFFEUR, "2026-11-29 03:00"),
]


@pytest.mark.parametrize(("text", "category", "when"), INTAKE)
def test_intake_reads_what_it_is_given(text: str, category: Category, when: str) -> None:
    arabic = from_arabizi(text)
    assert arabic is not None
    understood = understand(arabic, NOW, MSK)
    assert understood.category is category
    assert understood.when is not None
    assert understood.when.strftime("%Y-%m-%d %H:%M" if understood.time_known else "%Y-%m-%d") == when


@pytest.mark.parametrize(
    "text", ["shukran", "mashkoor", "ya3tik el 3afya", "tamam shukran", "aywa", "la shukran", "inshallah"]
)
def test_thanks_and_yes_are_small_talk(text: str) -> None:
    arabic = from_arabizi(text)
    assert arabic is not None and understand(arabic, NOW, MSK).small_talk


def test_the_lexicon_is_consistent_and_in_intakes_normal_form() -> None:
    assert LEXICON.conflicts == ()
    words = {*LEXICON.literal.values(), *LEXICON.exact.values()}
    assert len({w.bare for w in words}) >= 200
    for word in words:
        assert normalize(word.bare) == word.bare and normalize(word.definite) == word.definite
    assert all(normalize(arabic) == arabic for arabic in LEXICON.phrases.values())


def test_odd_input_is_read_without_trouble() -> None:
    assert from_arabizi("be" * 5000) is None
    assert from_arabizi("e7" * 50) is None
    assert from_arabizi("sa3a " * 2000) is not None
