"""A small gazetteer of Moscow: hotels, restaurants, theatres and arenas, shops, sights and airports, each
with what kind of place it is and how clients spell it in three languages. Shown on the card as the places
said, and counted as what they are when the service is read: "book Turandot" asks for dining, "a car to
Turandot" for a car (a place after "to" counts half)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.intake.text import normalize
from domain.intake.words import Category

KIND_WEIGHT = 1.5  # a named place weighs less than a service word: "a table at the Ritz" is dining
AIRPORT_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: Category | None  # None: a place that says nothing about the service (Red Square, Moscow City)
    spellings: tuple[str, ...]


H, D, E, S, T, A = Category.HOTEL, Category.DINING, Category.EVENTS, Category.SHOPPING, Category.TOURS, None
GAZETTEER = (
    # hotels
    Place("The Ritz-Carlton", H, ("ritz", "ритц", "риц", "ريتز", "ريتز كارلتون", "الريتز")),
    Place("Four Seasons", H, ("four seasons", "4 seasons", "фор сизонс", "фо сизонс", "فور سيزونز",
                              "الفور سيزون")),
    Place("Ararat Park Hyatt", H, ("ararat", "park hyatt", "арарат", "ارارات")),
    Place("Metropol", H, ("metropol", "метрополь", "متروبول")),
    Place("Baltschug Kempinski", H, ("baltschug", "kempinski", "балчуг", "кемпински", "كمبينسكي")),
    Place("National", H, ("hotel national", "national hotel", "националь", "ناشونال")),
    Place("St. Regis Nikolskaya", H, ("st regis", "st. regis", "saint regis", "сент-реджис", "سانت ريجيس")),
    Place("Savoy", H, ("savoy", "савой", "سافوي")),
    Place("Radisson Collection", H, ("radisson", "рэдиссон", "редиссон", "راديسون")),
    Place("Lotte Hotel", H, ("lotte", "лотте", "لوتي")),
    Place("Swissôtel Krasnye Holmy", H, ("swissotel", "свиссотель", "سويس اوتيل")),
    Place("Hyatt Regency Petrovsky Park", H, ("hyatt regency", "хаятт", "حياه ريجنسي")),
    Place("Marriott", H, ("marriott", "марриотт", "ماريوت")),
    Place("InterContinental Tverskaya", H, ("intercontinental", "интерконтиненталь", "انتركونتيننتال")),
    # restaurants
    Place("White Rabbit", D, ("white rabbit", "белый кролик", "вайт раббит", "وايت رابيت")),
    Place("Café Pushkin", D, ("cafe pushkin", "café pushkin", "pushkin cafe", "кафе пушкин", "pushkin",
                              "пушкин", "بوشكين")),
    Place("Turandot", D, ("turandot", "турандот", "توراندوت")),
    Place("Dr. Zhivago", D, ("dr zhivago", "dr. zhivago", "doctor zhivago", "zhivago", "доктор живаго",
                             "живаго", "دكتور جيفاغو", "جيفاغو")),
    Place("Twins Garden", D, ("twins garden", "твинс гарден", "توينز جاردن")),
    Place("Savva", D, ("savva", "савва")),
    Place("Nobu", D, ("nobu", "нобу", "نوبو")),
    Place("Uilliam's", D, ("uilliam's", "uilliams", "уильямс")),
    Place("Mari Vanna", D, ("mari vanna", "мари ванна", "ماري فانا")),
    Place("Chaihona No. 1", D, ("chaihona", "чайхона", "تشايخونا")),
    Place("Beluga", D, ("beluga restaurant", "ресторан белуга")),
    Place("Sixty", D, ("sixty restaurant", "ресторан сиксти", "сиксти")),
    Place("Erwin", D, ("erwin", "эрвин")),
    Place("Vogue Café", D, ("vogue cafe", "vogue café", "кафе вог")),
    # theatres, concert halls, arenas
    Place("Bolshoi Theatre", E, ("bolshoi", "большой театр", "большом театре", "большого театра", "البولشوي",
                                 "بولشوي")),
    Place("Helikon Opera", E, ("helikon", "геликон")),
    Place("Stanislavsky Music Theatre", E, ("stanislavsky", "станиславского")),
    Place("Vakhtangov Theatre", E, ("vakhtangov", "вахтангов")),
    Place("Moscow Art Theatre", E, ("mkhat", "мхат", "moscow art theatre")),
    Place("Lenkom", E, ("lenkom", "ленком")),
    Place("State Kremlin Palace", E, ("kremlin palace", "кремлевский дворец", "кремлёвский дворец")),
    Place("Crocus City Hall", E, ("crocus city hall", "крокус сити холл", "крокус")),
    Place("Luzhniki", E, ("luzhniki", "лужники", "лужниках", "لوجنيكي")),
    Place("VTB Arena", E, ("vtb arena", "втб арена", "втб арене")),
    Place("Zaryadye Hall", E, ("zaryadye hall", "зал зарядье")),
    Place("Tchaikovsky Concert Hall", E, ("tchaikovsky hall", "зал чайковского")),
    Place("Moscow Conservatory", E, ("conservatory", "консерватори")),
    # shops
    Place("GUM", S, ("gum ", "гум", "جوم")),
    Place("TSUM", S, ("tsum", "цум", "تسوم")),
    Place("Petrovsky Passage", S, ("petrovsky passage", "петровский пассаж")),
    Place("Tretyakovsky Proezd", S, ("tretyakovsky proezd", "третьяковский проезд")),
    Place("Barvikha Luxury Village", S, ("barvikha", "барвиха", "барвихе")),
    Place("Vegas Mall", S, ("vegas mall", "вегас")),
    Place("Afimall City", S, ("afimall", "афимолл")),
    Place("Evropeisky", S, ("evropeisky", "европейский")),
    # sights, museums
    Place("Tretyakov Gallery", T, ("tretyakov", "третьяков", "تريتياكوف")),
    Place("Pushkin Museum", T, ("pushkin museum", "музей пушкина", "пушкинский музей", "متحف بوشكين")),
    Place("Armoury Chamber", T, ("armoury", "armory", "оружейная палата", "оружейную палату")),
    Place("Zaryadye Park", T, ("zaryadye", "зарядье")),
    Place("Kremlin", T, ("kremlin", "кремл", "الكرملين", "كرملين")),
    Place("Red Square", A, ("red square", "красная площадь", "красной площади", "الساحة الحمراء",
                            "الساحه الحمراء")),
    Place("Moscow City", A, ("moscow city", "москва-сити", "москва сити", "موسكو سيتي")),
    # airports: a transfer, half what "a car" weighs
    Place("Sheremetyevo (SVO)", Category.CHAUFFEUR, ("sheremetyevo", "sheremetievo", "svo", "шереметьев",
                                                     "шарик", "شيريميتيفو", "شيرميتيفو")),
    Place("Vnukovo (VKO)", Category.CHAUFFEUR, ("vnukovo", "vko", "внуков", "فنوكوفو")),
    Place("Domodedovo (DME)", Category.CHAUFFEUR, ("domodedovo", "dme", "домодедов", "دوموديدوفو")),
    Place("Zhukovsky (ZIA)", Category.CHAUFFEUR, ("zhukovsky airport", "аэропорт жуковский", "zia")),
)  # fmt: skip
AIRPORTS = frozenset(p.name for p in GAZETTEER if p.kind is Category.CHAUFFEUR)

_AR = "\u0600-\u06ff"
# every spelling, longest first: "pushkin museum" is taken before "pushkin" can be
_SPELLINGS = sorted(
    ((normalize(spelling), place) for place in GAZETTEER for spelling in place.spellings),
    key=lambda pair: len(pair[0]),
    reverse=True,
)


def _spelled(spelling: str) -> str:
    """A name as said: Russian with its case endings ("в Ритце", "из Внуково"), Latin with a plural or a
    possessive, Arabic with its clitics before it."""
    body = re.escape(spelling)
    if re.search("[а-я]", spelling):
        return rf"(?<![\w{_AR}]){body}[а-я]{{0,3}}(?![а-я])"
    if re.search(f"[{_AR}]", spelling):
        return rf"(?<![{_AR}])(?:و|ب|ل|لل|من|وال|بال)?{body}(?![{_AR}])"
    return rf"(?<![\w{_AR}]){body}(?:'s|s)?(?![a-z])"


_FIND = re.compile("|".join(f"(?P<p{i}>{_spelled(s)})" for i, (s, _) in enumerate(_SPELLINGS)))


def named_places(normalized: str) -> list[tuple[int, int, Place]]:
    """The places named, as (start, end, place), none inside a longer one; in the order said."""
    found = []
    for match in _FIND.finditer(normalized):
        index = int((match.lastgroup or "p0")[1:])
        found.append((match.start(), match.end(), _SPELLINGS[index][1]))
    return found
