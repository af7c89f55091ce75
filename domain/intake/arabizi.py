"""Arabizi, Arabic in Latin letters with digits for the letters Latin lacks ("abi sayyara bukra el sa3a 7"),
written in Arabic script in intake's normal form so that the Arabic rules read it ("ابي سياره بكره الساعه 7").
Numbers, English words and names are left as they are; a text that is not Arabizi gives None."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from domain.intake.clock import AR_HOURS
from domain.intake.text import REQUEST_CUES, SMALL_TALK, normalize
from domain.intake.words import KEYWORDS

# One concept a line: its Arabic (|the form with the article, where it is not ال + the word; a number is the
# hour it names), then its spellings. Spellings differing only in vowels or doubled letters need not be
# listed (see _key); '+' joins the words of a phrase; '~' marks a spelling that is also an English word, a
# name or another language's word: converted inside Arabizi when written in lower case, never evidence.
# Where intake's Arabic lists lack a dialect word, the line gives the word they have (sawwa8 → سائق).
_LEXICON = """
ابي: abi aby abee
نبي: nabi nbi naby nabee
ابغى: abgha abghi ab8a ba3'et bghet bghit b8et
نبغى: nabgha nbgha nabghi
اريد: areed arid ureed oreed
نريد: nureed nreed
احتاج: a7taj ahtaj a7tag e7taj
نحتاج: ni7taj n7taj ne7taj nahtaj
بدي: bdi biddi beddi
بدنا: bidna badna bedna
ودي: wdi widdi weddi
لو سمحت: law+sama7t lo+sma7t law+sma7t lw+sm7t law+samaht lau+sama7t law+sama7ti lw+sm7ti
من فضلك: min+fadlak min+fadlik mn+fadlk min+fa9lak min+fadhlak men+fadlak mn+fdlk
ممكن: mumkin momken mumken mmkn mumkn momkn
تقدر: tigdar tgdar t8dar tqdar
احجز: a7jez a7jiz a7jz ahjez e7jez
احجزلي: a7jezli a7jizli a7jzly a7jezly
تحجز: ta7jez t7jz ti7jiz
تحجزلي: ta7jezli ta7jizli t7jzli ti7jizli
نحجز: ne7jez n7jz ni7jiz
حجز: 7ajz 7ajez 7agz hajz 7jz
سياره: sayara sayyara syara sayarah
سيارات: sayarat syarat
سائق: sawwa8 sawag sawaq sayeg sa2eq sa2ig saye8 sa2e8 sawa8
تاكسي: taksi teksi
ليموزين: limozin lemozeen limozeen
وديني: wadeni waddini waddeeni
يوديني: ywadeeni ywadini ywaddini yiwaddini
يودينا: ywadeena ywadina ywaddina yiwaddina
ودينا: wadeena waddina waddeena
خذني: khathni 5athni khedni 5edni 5idni khudni 5dni
وصلني: wasselni wa9elni wa9alni wasalni wa9lni wasilni
توصيل: tawseel taw9eel to9eel
توصيله: tawseela taw9eela
مطار: ma6ar matar m6ar
بكره: bukra bokra bkra bukrah bachir bacher baacher bachr
بعد بكره: 3gub+bachir 3ugb+bachir 3gob+bacher 3ugub+bachir 3gub+bukra 3gb+bachir 3gb+bukra 3gb+bacher
يوم: yom youm yoom yawm
يومين: yomain yomein yomeen
ليله: lela leela ~leila ~laila ~layla ~lila
ليل: lail layl leil
ليلا: lailan lelan
حين: 7een 7in heen 7ein hin
حالا: 7alan halan
الان: alaan al2an el2an ~alan
صباح: sob7 subh sobh 9ob7 9ub7 sba7 9ba7 sabah 9aba7 saba7
صباحا: saba7an 9aba7an sabahan
مساء: masa masaa masa2 masa2an masaan
عصر: 3asr 3a9r 3aser 3asir 3a9er 3sr 39r
ساعه: sa3a saa3a sa3ah s3a
ساعات: sa3at saa3at
ساعتين: sa3teen sa3tain sa3atain sa3tein sa3ten
نص: nos nus nu9 ni9 nes nis
نصف: ni9f nisf nu9f nesf
ربع: rub3 roba3 rb3 rubu3 rob3
دقائق: da8ayi8 dagayeg d8ayg daqayeq dqayq da8ayeg dgayg d8aye8
دقيقه: da8ee8a dagiga d8ee8a da8i8a dgega
بعد: ba3d ba3ad b3d ba3ed
قبل: gabl 8abl qabl gbl gabel 8bl qabel 8abel
بعدين: ba3dain ba3dein b3dain ba3den
اسبوع: usbu3 esbou3 osboo3 isbu3 esbo3 osbo3
جاي: ~jay jaay jai
جايه: jaya jaaya jayah
قادم: 8adem gadim qadem qadim 8adim gadem
اثنين|الاثنين 2: ithnain ithnayn ithnen ithneen etnen itnen etnein thnain thnen tneen ethnain ithnin
ثلاثه|الثلاثاء 3: thalatha tlata talata thlatha thulatha tholatha thalatha2
اربعه|الاربعاء 4: arba3a arbe3a arb3a arbi3a arba3ah
خميس: khamees 5amees 5mees khamis 5amis khmees 5ames
جمعه: jum3a jim3a jom3a gom3a jum3ah
سبت: sabt sebt sibt
احد: a7ad ahad a7d 7ad
واحد 1: wa7ed wa7id wahed wa7d wahid
واحده 1: wa7da wahda wa7deh
ثنتين 2: thinten thintain thnten thnteen
ثانيه 2: thanya thaanya thanyah
ثلاث 3: thalath thlath tlat talat tlath
ثالثه 3: thaltha thaaltha
اربع 4: arba3 arb3
رابعه 4: rab3a raab3a
خمس 5: khams 5ams
خمسه 5: khamsa 5amsa khamseh 5amseh 5msa
ست 6: ~sit sitt
سته 6: sitta setta sittah
سادسه 6: sadsa saadsa sadisa
سبع 7: sab3 seb3
سبعه 7: sab3a seb3a sab3ah saab3a
ثمان 8: thaman tmn thamn tamn thmn
ثمانيه 8: thamanya tmanya thamaniya tamanya thmanya thamania
ثامنه 8: thamna tamna thaamna thamneh
تسع 9: tis3 tes3
تسعه 9: tis3a tes3a tis3ah tas3a taas3a
عشر 10: 3ashar 3ashr 3shr 3asher 3ashir
عشره 10: 3ashra 3ashara 3ashrah 3ashreh
احدعش|الحاديه عشره 11: 7da3ash 7ida3ash 7d3sh 7da3sh hda3sh 7eda3sh 7idi3sh
اثنعش|الثانيه عشره 12: ithna3ash 6na3sh tna3sh thna3ash etna3sh 6na3ash thna3sh itna3sh ithna3sh
مطعم: mat3am ma63am mat3em mt3m
مطاعم: mata3em mata3im
عشاء: 3asha 3ashaa 3asha2 3sha 3isha 3esha 3ishaa
غداء: ghada gada 8ada ghadaa ghada2 ghda
فطور: ftoor fatoor fotoor ftor fu6oor fa6oor f6oor ftour riyoog reyoog ryoog riyoug rayoog
افطار: iftar eftar iftaar
طاوله: 6awla tawla 6awlah tawlah 6aawla 6owla towla
فندق: fondo8 fondog fundu8 funduq fndq fondoq fundug fndg
غرفه: ghorfa ghurfa 8orfa gurfa ghrfa 8urfa gorfa
جناح: jana7 jena7 jnah janah
شقه: sha88a shagga shaqqa sh8a
ليلتين: laylatain leltain lailtain leltein lailatain
ليالي: layali liyali lyali
تذكره: tathkara tadhkara tazkara tathkarah tthkra tathkra tadkara
تذاكر: tadhaker tathaker tazaker tathakir tadhakir tathakeer
تذكرتين: tathkartain tadhkartain tazkarten tathkarteen
حفله: 7afla 7afleh hafla 7aflah hafleh
حفل: 7afl hafl
مسرح: masra7 masrah mesra7
مباراه: mubara mobara mubarah mobarah
معرض: ma3ra9 ma3rad ma3radh
طبيب: 6abeeb tabib 6beeb tabeeb 6abib
دكتور: doktor daktor dktor dektor
عياده: 3iyada 3eyada 3yada 3yadah 3iyadah
مستشفى: mustashfa mostashfa mstshfa
صيدليه: 9aydaliya saydaliya 9aidalia 9aydaleya 9ydlya saydalia 9aydliya 9edlya
دواء: dawa dawaa dawa2
ادويه: adwiya adweya adwya
مساج: masaj massaj masaaj
تدليك: tadleek tadlik
تسوق: tasawwog tasawo8 tasawuq tsawg tasawog tasawg tasawoq
هديه: hadiya hadiyah hdiya hadeya hadyah hadya
ورد: ~ward wrd
زهور: zhoor zohoor zhour zuhoor
عطر: 3e6r 3i6r 3itr 3etr
عطور: 3utoor 3o6oor 36oor
مرشد: murshid morshed mrshd murshed morshid
جوله: jawla jola jawlah jolah jowla
متحف: mat7af mat7f mathaf mit7af
يخت: yakht ya5t ya5at
رحله: ra7la re7la rihla ri7la re7leh rahla
طياره: 6ayara tayyara 6yara tayara 6ayarah 6iyara tiyara
خاصه: khasa 5a9a 5aasa khaasa 5a9ah khassa 5a9eh
هليكوبتر: hilikobter helikobter
حارس: 7aris 7ares haris 7aaris
حراسه: 7irasa 7erasa 7rasa hirasa
حمايه: 7imaya 7emaya himaya 7maya 7imayah
اشخاص: ashkha9 ashkhas ash5a9 ash5as anfar
شخص: shakh9 sha5s shakhs shakhes sh5s nafar nfar
شخصي: shakh9i sha5si shakhsi sh5si
شخصين: shakh9een shakhsain sha5seen shakhseen sha5sain
ضيوف: dhyoof 9yoof duyoof thyoof 9iyoof dyoof
فجر: fajr fajer fijr fejer
ظهر: dhuhr thuhr duhur zuhr dohr 6'uhr dhuhur thuhur zohr dhohr duhr
مغرب: maghrib maghreb mgrb magrib m8rb ma8rib maghrb
صلاه: 9alat salat 9ala 9alah
شكرا: shukran shokran shukrn shkran chokran choukran shokrn shkrn
مشكور: mashkoor mashkur mshkor mashkour
مشكورين: mashkoreen mashkureen mshkoreen
مشكوره: mashkoora mashkura
تسلم: tislam teslam tslm
تسلمين: tislameen teslameen
يعطيك: ya3tik ya3teek y3tik ya3tek
عافيه: 3afya 3afia 3afiya 3afyah
اي: ee eeh
ايوه: aywa aiwa aywah ewa eiwa
نعم: na3am n3am na3m
لا: ~la laa la2
تمام: tamam tmam tamaam
زين: zain zein zeen zayn ~zen
طيب: 6ayeb tayeb 6yb 6ayb tayyib 6ayib
مرحبا: mar7aba mar7ba marhaba mr7ba marhba
اهلا: ahlan ahln
هلا: ~hala halla
سلام: salam slam salamu
عليكم: 3alaikum 3alykm 3alaykum 3leikum 3lekum 3alekum
مع السلامه: ma3+salama ma3a+salama m3+salama
ان شاء الله: inshallah inshalla insha+allah in+sha+allah inshallh nshallah
والله: wallah walla wallahi
يلا: yalla yallah yla
حبيبي: 7abibi habibi 7abeebi 7bibi
اكيد: akeed akid
حاضر: 7ader 7adir 7aadir
مو: mu ~mo mou
ما: ~ma maa
من: ~min ~men mn
مب: mb mub ~mob
مش: mish ~mesh msh
بدل: badal bdal badaal badl
امس: ams amss
بارحه: bare7 bara7 baar7a bar7a bare7a
انا: ~ana ena
هذا: hatha hadha haza hatha
هذي: hathi hadhi hathy
زوجتي: zawjti zojti zoojti zawjati
زوجي: zawji zoji zooji
احنا: e7na i7na ehna
انت: inta enta enti inti
عندي: 3indi 3ndi 3andi
عندكم: 3indkum 3ndkm 3endkom 3andkum 3indakum
فيه: feeh fih ~fee
في: ~fi fe
وين: wain wein ween wayn
كيف: kaif keef kayf
ليش: lesh laish leish
ايش: esh aish eish
شو: shu shoo
على: 3ala 3la
الى: ila ela
مع: ma3 m3 ma3a
عن: 3an
عشان: 3ashan 3shan 3alashan
حق: 7ag 7a8 7aq
بس: bas bs
كمان: kaman kamaan kman
ايضا: aydan ay9an ai9an ay6'an
بسرعه: bsur3a besor3a bsr3a bisur3a bsor3a
عاجل: 3ajil 3ajel 3aajil
فورا: fawran fawrn foran
ضروري: dharoori 9aroori daroori darury 9arori dharori
قريب: gareeb 8areeb qareeb qarib 8arib
بيت: ~bait ~bet beit
اللي: elli illi alli
لي: ~li ~lee ~ly
يا: ~ya
و: ~w ~wa
"""


# The spelling key: Arabizi writes one letter many ways (ع 3; ق q, g, 8; ح 7, h; ص 9, s; ط 6, t), doubles
# letters or not and writes vowels loosely, so a word is matched by its letter classes and vowel classes
# (A, I, U; a lone e is E, either A or I: bacher/bachir, arbe3a/arba3a).
_APOSTROPHE_DIGIT = re.compile(r"([3679])['’]")
_DOTTED = {"3": "gh", "7": "kh", "6": "dh", "9": "dh"}  # 3' غ, 7' خ, 6' ظ, 9' ض
_SILENT_E = re.compile(r"^(?!.*\d)(.*..[^aeiou])e$")  # English, not Arabizi: "mouse", "site", "sale"
_FINAL_H = re.compile(r"(?<=[aeiou])h$")  # ta marbuta: sayyarah, bukrah
_GLIDES = (
    (re.compile(r"(?<=[ae])[iy](?![aeiou])"), "y"),  # zain, zayn, aiwa: a diphthong
    (re.compile(r"(?<=[^aeiou])i(?=[aou])"), "y"),  # 3afia, thamania: 3afya
    (re.compile(r"(?<![aeiou])y$"), "i"),  # aby, nby: abi
)
_DIGRAPHS = (("sh", "S"), ("kh", "X"), ("gh", "Q"), ("th", "t"), ("dh", "D"), ("ch", "C"))
_CLASSES = str.maketrans("aiou2e7h5xqg8kc96dpv", "AIUUAEHHXXQQQKKstDbf")
_RUNS = re.compile(
    r"([AIUE])[AIUE]+|(.)\2+"
)  # a run of vowels keeps its first (ou, ie, a2a); one of a double
_E_RUN = re.compile(r"E(?=[AIUE])")
_DOUBLE = re.compile(r"(.)\1+")
_DOUBLE_CONSONANT = re.compile(r"([^aeiou])\1+")


def _first(found: re.Match[str]) -> str:  # a function, not r"\1": re's template path is slow on short words
    return found[found.lastindex or 0]


_VOWELS = frozenset("AIUE")


@lru_cache(maxsize=4096)
def _key(word: str) -> str:
    word = word.lower().replace("-", "")
    if "'" in word or "’" in word:
        word = _APOSTROPHE_DIGIT.sub(lambda m: _DOTTED[m[1]], word)
    if word.endswith("e"):
        word = _SILENT_E.sub(_first, word)
    elif word.endswith("h"):
        word = _FINAL_H.sub("", word)
    if "i" in word or "y" in word:
        for glide, letter in _GLIDES:
            word = glide.sub(letter, word)
    if "h" in word:
        for digraph, symbol in _DIGRAPHS:
            word = word.replace(digraph, symbol)
    word = word.translate(_CLASSES)
    if "E" in word:
        word = _E_RUN.sub("I", word)  # ee, ea: i, not the lone e that may be a
    return _RUNS.sub(_first, word)


def _readings(key: str) -> list[str]:
    """The keys a written word may stand for: each lone e as a or i (as i only past three of them)."""
    readings = [key if key.count("E") <= 3 else key.replace("E", "I")]
    while "E" in readings[0]:
        readings = [k.replace("E", v, 1) for k in readings for v in "AI"]
    return readings


def _literal(word: str) -> str:
    return _DOUBLE_CONSONANT.sub(_first, word.lower())


def _dropped(key: str) -> set[str]:
    """The key written with fewer vowels (bkra for bukra, syara for sayyara), longer than three symbols."""
    slots = [i for i, symbol in enumerate(key) if symbol in _VOWELS]
    found = set()
    for mask in range(1, 1 << len(slots)):
        gone = {slots[n] for n in range(len(slots)) if mask >> n & 1}
        found.add("".join(symbol for i, symbol in enumerate(key) if i not in gone))
    return {k for k in found if len(k) > 3 and not _DOUBLE.search(k)}


@dataclass(frozen=True, slots=True)
class _Word:
    bare: str
    definite: str  # with the article: al + the word, a weekday (el ithnain) or an hour (el sab3a)
    hour: int | None = None
    soft: bool = False  # also an English word or a name: converted in lower case only, never evidence


_LINE = re.compile(r"(?P<ar>[^|:\d]+?)(?:\|(?P<definite>[^:\d]+?))?(?:\s+(?P<hour>\d+))?:(?P<spellings>.+)")
_ORDINAL = {hour: word for word, hour in AR_HOURS.items() if word.startswith("ال")}


@dataclass(frozen=True, slots=True)
class _Lexicon:
    literal: dict[str, _Word]
    exact: dict[str, _Word]
    lossy: dict[str, _Word | None]  # None: two words meet there, so neither is taken
    phrases: dict[tuple[str, ...], str]
    conflicts: tuple[str, ...]  # spellings that two concepts claim (the first listed keeps them)


def _word(line: re.Match[str], soft: bool) -> _Word:
    bare = normalize(line["ar"].strip())
    hour = int(line["hour"]) if line["hour"] else None
    definite = normalize(line["definite"].strip()) if line["definite"] else None
    if definite is None:
        definite = _ORDINAL[hour] if hour else bare if bare.startswith("ال") else "ال" + bare
    return _Word(bare, definite, hour, soft)


def _build(text: str) -> _Lexicon:
    literal: dict[str, _Word] = {}
    exact: dict[str, _Word] = {}
    lossy: dict[str, tuple[int, _Word | None]] = {}
    phrases: dict[tuple[str, ...], str] = {}
    conflicts: list[str] = []
    for raw in text.strip().splitlines():
        line = _LINE.fullmatch(raw)
        assert line, raw
        for spelling in line["spellings"].split():
            if "+" in spelling:
                phrases[tuple(_key(w) for w in spelling.split("+"))] = normalize(line["ar"].strip())
                continue
            word = _word(line, spelling.startswith("~"))
            spelling = spelling.lstrip("~")
            key = _key(spelling).replace("E", "I")
            for table, at in ((literal, _literal(spelling)), (exact, key)):
                if at in table and table[at].bare != word.bare and (table is literal or len(at) > 3):
                    conflicts.append(spelling)
                table.setdefault(at, word)
                if word.soft:
                    break  # a soft word matches as spelled only: "ward", not "word"
            for at in () if word.soft or len(key) <= 3 else _dropped(key):
                cost = len(key) - len(at)
                old = lossy.get(at)
                if old is None or cost < old[0]:
                    lossy[at] = (cost, word)
                elif cost == old[0] and old[1] is not None and old[1].bare != word.bare:
                    lossy[at] = (cost, None)
    exact = {k: w for k, w in exact.items() if len(k) > 3}
    return _Lexicon(literal, exact, {k: w for k, (_, w) in lossy.items()}, phrases, tuple(conflicts))


LEXICON = _build(_LEXICON)
_PHRASE_STARTS = frozenset(keys[0] for keys in LEXICON.phrases)
_PHRASE_WORDS = frozenset(w.split("+")[0] for w in _LEXICON.split() if "+" in w)  # first words, as spelled


def _lookup(word: str) -> _Word | None:
    """Spelled as listed, else by key: exactly, with fewer vowels, or with one vowel more inside (ba3ad,
    gabel; not before it: essa3a is the article's)."""
    if found := LEXICON.literal.get(_literal(word)):
        return found
    readings = [k for k in _readings(_key(word)) if len(k) > 3]
    for table in (LEXICON.exact, LEXICON.lossy):
        for key in readings:
            if key in table:
                return table[key]
    for key in readings:
        for i in range(1, len(key) - 1):
            if key[i] in _VOWELS and (found := LEXICON.exact.get(key[:i] + key[i + 1 :])):
                return found
    return None


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# English words are never converted: intake's own, the common ones, those whose key meets a lexicon word's
# (found by running an English word list through _lookup), and what follows a digit in "5star", "2nights".
_ENGLISH = frozenset(
    w.rstrip("*")
    for phrase in (
        *(word for words in KEYWORDS.values() for word, _ in words),
        *SMALL_TALK,
        *REQUEST_CUES,
        *_set("""
        a an and are as at be but by can could do for from get go have he her him his how i if in is it me my
        no not of on or our she so than that the them then there they this to too up us was we what when where
        which who why will with would you your pls plz day days night nights room rooms gate suite villa floor
        star stars seater door seat seats row unit house tower block road street exit code pin ref number
        hour hours min mins sec minute minutes time today tonight tomorrow pm am ok okay hi yes thanks sir
        accede aced acid albeit ammeter apogee arid athlete badly bass beady beget biddy doctor eked enured
        erred exams feature future gabble gable garb grab grebe grep grip gripe grippe hares harries hears
        hearse helicopter heresy hers hires infer inured jowl loyally matter mesa meter miter mother muter
        mutter nappy neared never oared outlet paddle peddle pedal peyote sades salami salt septa sewage
        shoo slam slat slate swag tacks tannin teaks their tiara ticks tics toilet toilette tousle tussle
        unread weedy
        """),
    )
    for w in phrase.split()
    if w.isascii()
)
# the common words of Russian written in Latin letters ("nuzhna mashina zavtra"), and what only it spells
_RUSSIAN = _set(
    """
    ya vy my ty on ona oni mne nam menya nas vas u v vo na s so k iz ot do po za dlya bez i a no ili ne net da
    eto chto shto kak gde kogda kuda skolko mozhno mozhete nado nuzhno nuzhna nuzhen nuzhny hochu khochu
    hotim khotim hotel hotela zavtra segodnya sevodnya sejchas seychas poslezavtra vecherom utrom dnem
    nochyu vecher utro privet zdravstvuyte spasibo pozhaluysta pozhalujsta pojaluista pozhalusta mashina
    mashinu voditel voditelya stolik stolika restoran restorane bilet bilety biletov zakazat zakazhite
    zabronirovat zabroniruyte odin odna dva dve tri chetyre pyat shest sem vosem devyat desyat chasov chasa
    chas minut dobryj dobryy dobroe den khorosho horosho otlichno ladno konechno tozhe eshche esche uzhe ochen
    vse budet est nomer otel gostinitsa aeroport vstretit vstretite otvezti posle pered okolo cherez
    zavtrak obed uzhin dvoikh dvoih troikh chelovek pozhe ranshe tut tam zdes vot tak tolko
    """
)
_RUSSIAN_SHAPE = re.compile(r"zh|shch|(?:ogo|ego|yy|iy|yj|oj|ij)$|^v[bcdfgkmnprstvz]")
_UNITS = _set("st nd rd th am pm a p h hr hrs m k kg km x pax ppl d n s y g yo yrs")
_LETTER_DIGIT = re.compile(r"[a-z][235-9]|[235-9][a-z]")
_NOT_ARABIZI_DIGITS = re.compile(r"\d\d|[014]")
_DIGITS_THEN_LETTERS = re.compile(r"(\d+)([a-z]+)")
_LETTERS_THEN_DIGIT = re.compile(r"([a-z]+)\d")
_HEX = re.compile(r"[0-9a-f]{6,}")
_TEXTSPEAK = _set("2moro 2mrw 2nite 2u gr8 l8 l8r w8 h8 m8 h2o co2 b2b b2c p2p")


def _number(word: str) -> bool:
    """7, 19, 7pm, 2nd, 4pax, 5star: a number, left as it is."""
    said = _DIGITS_THEN_LETTERS.fullmatch(word)
    return word.isdigit() or (said is not None and (said[2] in _UNITS or said[2] in _ENGLISH))


def _arabizi_shaped(word: str) -> bool:
    """A word with digits for letters (sa3a, a7jez, 9ba7), not a code (EK132, h2o, covid19, a hex number)
    nor a number with its unit (4pax, 2nights)."""
    if not _LETTER_DIGIT.search(word) or _NOT_ARABIZI_DIGITS.search(word):
        return False
    if sum(c.isalpha() for c in word) < 2 or not any(c in "aeiouy" for c in word) or word in _TEXTSPEAK:
        return False
    if _HEX.fullmatch(word):
        return False  # a commit, a colour
    tail = _LETTERS_THEN_DIGIT.fullmatch(word)
    return not _number(word) and not (tail and tail[1] in _ENGLISH)


# el sa3a, bel lail, lel mat3am, fel fondo8, 3al sab3a: the article (and a preposition before it), written
# apart or attached; an attached one may take the sun letter's sound (essa3a, ettawla)
_ARTICLES = {"el": "", "al": "", "il": "", "bel": "ب", "bil": "ب", "bl": "ب", "fel": "في ",
             "fil": "في ", "lel": "ل", "lil": "ل", "wel": "و", "wil": "و", "3al": "على "}  # fmt: skip
_ATTACHED = re.compile(
    r"(?P<p>3al|[bfw][ei]l|l[ei]l|[aei]l)-?(?P<rest>[a-z0-9'’-]{3,})"
    r"|[aei](?P<sun>sh|th|dh|[tdrzsnl69])-?(?P<rest2>(?:(?P=sun)|(?<=s)9|(?<=t)6)[a-z0-9'’-]{2,})"
    r"|w(?P<rest3>[^aeiou][a-z0-9'’-]{2,})"
)


def _with_article(before: str, definite: str) -> str:
    return before + (definite[1:] if before == "ل" else definite)  # ل + المطعم: للمطعم


# unknown words with letter digits, letter by letter: no keyword will match them, but they read as Arabic
_SPELLING = re.compile(r"[3679]['’]|sh|kh|gh|th|dh|ch|aa|ee|ii|oo|ou|uu|.")
_LETTERS = {
    "3'": "غ", "7'": "خ", "6'": "ظ", "9'": "ض", "sh": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ",
    "ch": "ك", "aa": "ا", "ee": "ي", "ii": "ي", "oo": "و", "ou": "و", "uu": "و", "2": "ء", "3": "ع", "5": "خ",
    "6": "ط", "7": "ح", "8": "ق", "9": "ص", "b": "ب", "t": "ت", "j": "ج", "d": "د", "r": "ر", "z": "ز",
    "s": "س", "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي",
    "g": "ق", "v": "ف", "p": "ب", "c": "ك", "x": "كس", "i": "ي", "o": "و", "u": "و", "a": "", "e": "",
}  # fmt: skip


def _spell(word: str) -> str:
    pieces = _SPELLING.findall(_literal(word).replace("-", "").replace("’", "'"))
    letters = [
        "ا"
        if n == 0 and piece[0] in "aeiou2"
        else "ه"
        if n == len(pieces) - 1 and piece in "ae"
        else _LETTERS.get(piece, "")
        for n, piece in enumerate(pieces)
    ]
    return normalize("".join(letters))


class _Token(NamedTuple):  # a tuple: built for every word of every message
    start: int
    end: int
    kind: str  # number, word, soft, spelled, article, preposition, foreign, name, other
    arabic: str = ""  # a word's Arabic; an article's preposition
    word: _Word | None = None
    digits: bool = False  # written with a letter digit
    russian: bool = False
    phrase: bool = False  # may start a phrase (law sama7t)


_TOKEN = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#]\w+"  # addresses and handles: no words in them
    r"|(?P<word>[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*(?:(?<=[3679])['’])?(?:-[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*)*)"
)
_CONTRACTION = re.compile(r"(?<![3679])['’]")
_SENTENCE_END = frozenset(".!?\n…:;")


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'«(")
    return not before or before[-1] in _SENTENCE_END


def _attached(word: str, digits: bool) -> _Token | None:
    """elsob7, essa3a, allaila, bellail, wbukra: the article (or و) attached to a word of the lexicon, as
    listed or by its exact key (a loose key finds English words: "elevator", "attacks", "worried")."""
    found = _ATTACHED.fullmatch(word)
    if found is None:
        return None
    rest = found["rest"] or found["rest2"] or found["rest3"]
    known = LEXICON.literal.get(_literal(rest)) or LEXICON.exact.get(_key(rest).replace("E", "I"))
    if found["rest3"]:  # و before a name or an English word is no و: only a sure word
        sure = known is not None and not known.soft
        return _Token(0, 0, "word", "و" + known.bare, known, digits) if known and sure else None
    before = _ARTICLES.get(found["p"] or "el", "")
    if known is not None:
        return _Token(0, 0, "word", _with_article(before, known.definite), known, digits)
    if _arabizi_shaped(rest):
        return _Token(0, 0, "spelled", _with_article(before, "ال" + _spell(rest)), digits=True)
    return None


@lru_cache(maxsize=8192)
def _analyse(word: str) -> _Token:
    """What a word (in lower case) is wherever it stands; _classify places it."""
    if len(word) > 30 or (not word.isalnum() and _CONTRACTION.search(word)):
        return _Token(0, 0, "other")  # no Arabizi word is that long, nor has an apostrophe (here's)
    digits = not word.isalpha() and bool(_LETTER_DIGIT.search(word))
    russian = word in _RUSSIAN or bool(_RUSSIAN_SHAPE.search(word))
    listed = LEXICON.literal.get(_literal(word))
    if listed is not None and listed.soft:
        return _Token(0, 0, "soft", listed.bare, listed, digits, russian, _key(word) in _PHRASE_STARTS)
    if listed is not None and digits:  # "el 7in" is الحين, not seven inches: the lexicon lists it
        return _Token(0, 0, "word", listed.bare, listed, digits, russian, _key(word) in _PHRASE_STARTS)
    if not word.isalpha() and _number(word):
        return _Token(0, 0, "number")
    if word in _ENGLISH or word in _RUSSIAN:
        return _Token(0, 0, "foreign", russian=russian, phrase=word in _PHRASE_WORDS)
    phrase = _key(word) in _PHRASE_STARTS
    if known := listed or _lookup(word):
        return _Token(0, 0, "word", known.bare, known, digits, russian, phrase)
    if word in _ARTICLES:
        return _Token(0, 0, "article", _ARTICLES[word])
    if word == "l":
        return _Token(0, 0, "preposition", "ل")  # l 4 ashkha9, l shakh9een: ل
    if attached := _attached(word, digits):
        return attached
    if digits and _arabizi_shaped(word):
        return _Token(0, 0, "spelled", _spell(word), digits=True, phrase=phrase)
    return _Token(0, 0, "other", russian=russian, phrase=phrase)


def _classify(text: str, start: int, end: int, shouting: bool) -> _Token:
    raw = text[start:end]
    seen = _analyse(raw.lower())
    kind, capital = seen.kind, raw != raw.lower() and not shouting
    if capital and kind == "soft":
        kind = "other"  # La Petite Maison, Ana
    elif capital and kind in ("word", "article", "other") and not seen.digits:
        kind = kind if _starts_sentence(text, start) else "name"  # Ritz, Salah: a capital within a sentence
    elif kind == "spelled" and raw[1:] != raw[1:].lower():
        kind = "other"  # a code: CA7, Zm9yZ2Vk
    return seen._replace(start=start, end=end, kind=kind)


def _phrase(text: str, spans: list[tuple[int, int]]) -> _Token | None:
    """law sama7t, min fadlak, 3gub bachir: words that say more together (spans: the next three words)."""
    keys = [_key(text[s:e]) for s, e in spans]
    for size in (3, 2):
        if size <= len(keys) and (arabic := LEXICON.phrases.get(tuple(keys[:size]))):
            digits = any(_LETTER_DIGIT.search(text[s:e].lower()) for s, e in spans[:size])
            return _Token(spans[0][0], spans[size - 1][1], "word", arabic, digits=digits)
    return None


def _read(text: str) -> list[_Token]:
    spans = [m.span() for m in _TOKEN.finditer(text) if m["word"]]
    shouting = text.isupper()  # ABI SAYARA BUKRA: capitals are no names (yet codes stay codes: CA7)
    tokens: list[_Token] = []
    at = 0
    while at < len(spans):
        start, end = spans[at]
        token = _classify(text, start, end, shouting)
        token = (token.phrase and _phrase(text, spans[at : at + 3])) or token
        if tokens and tokens[-1].kind == "preposition" and token.kind == "article" and token.arabic == "":
            token = _Token(tokens.pop().start, token.end, "article", "ل")  # l el fondo8: للفندق
        tokens.append(token)
        while at < len(spans) and spans[at][0] < token.end:
            at += 1
    return tokens


# Arabizi when the lexicon says so: one of its words written with a letter digit ("sa3a", "a7jez"); or two
# pieces of evidence, of which one a lexicon word (lexicon words that are not also English or names count,
# and unknown words with letter digits, "ma7al", but not "4pax", "EK132", "hunter2"); or lexicon words making
# half the message ("bukra 7pm", "shukran"). And more evidence than Russian words ("nuzhna mashina zavtra").
def _is_arabizi(tokens: list[_Token]) -> bool:
    known = sum(t.kind == "word" for t in tokens)
    evidence = known + sum(t.kind == "spelled" for t in tokens)
    words = sum(t.kind != "number" for t in tokens)
    russian = sum(t.russian and t.kind not in ("word", "spelled") for t in tokens)
    said = (
        any(t.kind == "word" and t.digits for t in tokens) or (known and evidence >= 2) or 2 * known >= words
    )
    return evidence > russian and bool(said)


def _converts(token: _Token, before: _Token | None) -> bool:
    # "min" after a number is minutes, not من
    minutes = (
        token.word is not None and token.word.bare == "من" and before is not None and before.kind == "number"
    )
    return token.kind in ("word", "spelled") or (token.kind == "soft" and not minutes)


def _form(token: _Token, last: str, after: _Token | None, definite: bool = False) -> str:
    """The word's Arabic where it stands: an hour word after الساعه is the hour (الساعه السابعه, as intake
    reads it), and sa3a before an hour is الساعه."""
    word = token.word
    if word and word.hour and last.endswith("الساعه"):
        return _ORDINAL[word.hour]
    if definite:
        return word.definite if word else "ال" + token.arabic
    hour_next = after is not None and (after.kind == "number" or bool(after.word and after.word.hour))
    return "الساعه" if word and word.bare == "ساعه" and hour_next else token.arabic


def _write(text: str, tokens: list[_Token]) -> str:
    parts: list[str] = []
    done, last, at = 0, "", 0
    while at < len(tokens):
        token, before = tokens[at], tokens[at - 1] if at else None
        after = tokens[at + 1] if at + 1 < len(tokens) else None
        if after and text[token.end : after.start].strip():
            after = None  # only a word right after, not across punctuation
        end, arabic = token.end, None
        if token.kind == "article" and after and _converts(after, token):
            end, arabic = after.end, _with_article(token.arabic, _form(after, last, None, definite=True))
            at += 1
        elif token.kind == "preposition" and after and _converts(after, token):
            end, arabic = after.end, token.arabic + _form(after, last, None)
            at += 1
        elif token.kind == "preposition" and after and after.kind == "number":
            arabic = token.arabic
        elif _converts(token, before):
            arabic = _form(token, last, after)
        if arabic is not None:
            parts += [text[done : token.start], arabic]
            done = end
        last, at = arabic or "", at + 1
    return "".join(parts) + text[done:]


def from_arabizi(text: str) -> str | None:
    """The text with its Arabizi words in Arabic script, in intake's normal form; None when it is not
    Arabizi (English, Russian in Latin letters, an address, a flight number)."""
    tokens = _read(text)
    return _write(text, tokens) if _is_arabizi(tokens) else None
