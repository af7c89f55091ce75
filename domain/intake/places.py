"""A small gazetteer of Moscow: hotels, restaurants, theatres and arenas, shops, sights and airports, each
with what kind of place it is and how clients spell it in three languages; and the cities clients fly to.
Shown on the card as the places said, and counted as what they are when the service is read: "book Turandot"
asks for dining, "a car to Turandot" for a car (a place after "to" counts half), "to Sochi" for a flight."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.intake.text import normalize
from domain.intake.words import Category

KIND_WEIGHT = 1.5  # a named place weighs less than a service word: "a table at the Ritz" is dining
AIRPORT_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class NamedPlace:
    name: str
    kind: Category | None  # None: a place that says nothing about the service (Red Square, Moscow City)
    spellings: tuple[str, ...]


P = NamedPlace
H, D, E, S, T, A = Category.HOTEL, Category.DINING, Category.EVENTS, Category.SHOPPING, Category.TOURS, None
F = Category.AVIATION
GAZETTEER = (
    # hotels
    P("The Ritz-Carlton", H, ("ritz", "ритц", "риц", "ريتز", "ريتز كارلتون", "الريتز")),
    P("Four Seasons", H, ("four seasons", "4 seasons", "фор сизонс", "фо сизонс", "فور سيزونز",
                              "الفور سيزون")),
    P("Ararat Park Hyatt", H, ("ararat park hyatt", "ararat", "park hyatt", "арарат парк хаятт", "арарат",
                               "парк хаятт", "ارارات")),
    P("Metropol", H, ("metropol", "метрополь", "متروبول")),
    P("Baltschug Kempinski", H, ("baltschug", "kempinski", "балчуг", "кемпински", "كمبينسكي")),
    P("National", H, ("hotel national", "national hotel", "националь", "ناشونال")),
    P("St. Regis Nikolskaya", H, ("st regis", "st. regis", "saint regis", "сент-реджис", "سانت ريجيس")),
    P("Savoy", H, ("savoy", "савой", "سافوي")),
    P("Radisson Collection", H, ("radisson", "рэдиссон", "редиссон", "راديسون")),
    P("Lotte Hotel", H, ("lotte", "лотте", "لوتي")),
    P("Swissôtel Krasnye Holmy", H, ("swissotel", "свиссотель", "سويس اوتيل")),
    P("Hyatt Regency Petrovsky Park", H, ("hyatt regency", "хаятт", "حياه ريجنسي")),
    P("Marriott", H, ("marriott", "марриотт", "ماريوت")),
    P("InterContinental Tverskaya", H, ("intercontinental", "интерконтиненталь", "انتركونتيننتال")),
    # restaurants
    P("White Rabbit", D, ("white rabbit", "белый кролик", "вайт раббит", "وايت رابيت")),
    P("Café Pushkin", D, ("cafe pushkin", "café pushkin", "pushkin cafe", "кафе пушкин", "pushkin",
                              "пушкин", "بوشكين")),
    P("Turandot", D, ("turandot", "турандот", "توراندوت")),
    P("Dr. Zhivago", D, ("dr zhivago", "dr. zhivago", "doctor zhivago", "zhivago", "доктор живаго",
                             "живаго", "دكتور جيفاغو", "جيفاغو")),
    P("Twins Garden", D, ("twins garden", "твинс гарден", "توينز جاردن")),
    P("Savva", D, ("savva", "савва")),
    P("Nobu", D, ("nobu", "нобу", "نوبو")),
    P("Uilliam's", D, ("uilliam's", "uilliams", "уильямс")),
    P("Mari Vanna", D, ("mari vanna", "мари ванна", "ماري فانا")),
    P("Chaihona No. 1", D, ("chaihona", "чайхона", "تشايخونا")),
    P("Beluga", D, ("beluga restaurant", "ресторан белуга", "beluga", "белуга")),
    P("Sixty", D, ("sixty restaurant", "ресторан сиксти", "сиксти")),
    P("Erwin", D, ("erwin", "эрвин")),
    P("Vogue Café", D, ("vogue cafe", "vogue café", "кафе вог")),
    # theatres, concert halls, arenas
    P("Bolshoi Theatre", E, ("bolshoi", "большой театр", "большом театре", "большого театра", "البولشوي",
                                 "بولشوي")),
    P("Helikon Opera", E, ("helikon", "геликон")),
    P("Stanislavsky Music Theatre", E, ("stanislavsky", "станиславского")),
    P("Vakhtangov Theatre", E, ("vakhtangov", "вахтангов")),
    P("Moscow Art Theatre", E, ("mkhat", "мхат", "moscow art theatre")),
    P("Lenkom", E, ("lenkom", "ленком")),
    P("State Kremlin Palace", E, ("kremlin palace", "кремлевский дворец", "кремлёвский дворец")),
    P("Crocus City Hall", E, ("crocus city hall", "крокус сити холл", "крокус")),
    P("Luzhniki", E, ("luzhniki", "лужники", "лужниках", "لوجنيكي")),
    P("VTB Arena", E, ("vtb arena", "втб арена", "втб арене")),
    P("Zaryadye Hall", E, ("zaryadye hall", "зал зарядье")),
    P("Tchaikovsky Concert Hall", E, ("tchaikovsky hall", "зал чайковского")),
    P("Moscow Conservatory", E, ("conservatory", "консерватори")),
    # shops
    P("GUM", S, ("gum ", "гум", "جوم")),
    P("GUM", S, ("gum", "гум", "غوم")),
    P("TSUM", S, ("tsum", "цум", "تسوم")),
    P("Petrovsky Passage", S, ("petrovsky passage", "петровский пассаж")),
    P("Tretyakovsky Proezd", S, ("tretyakovsky proezd", "третьяковский проезд")),
    P("Barvikha Luxury Village", S, ("barvikha", "барвиха", "барвихе")),
    P("Vegas Mall", S, ("vegas mall", "вегас")),
    P("Afimall City", S, ("afimall", "афимолл")),
    P("Evropeisky", S, ("evropeisky", "европейский")),
    # nightclubs: a table there is a night out, not a dinner
    P("Soho Rooms", E, ("soho rooms", "сохо румс", "сохо", "سوهو رومز", "سوهو")),
    P("Gipsy", E, ("gipsy", "джипси")),
    P("Mutabor", E, ("mutabor", "мутабор")),
    P("Propaganda", E, ("propaganda club", "клуб пропаганда")),
    # sights, museums
    P("Tretyakov Gallery", T, ("tretyakov", "третьяков", "تريتياكوف")),
    P("Pushkin Museum", T, ("pushkin museum", "музей пушкина", "пушкинский музей", "пушкинский", "pushkinsky",
                            "pushkinskiy", "pushkinskii",
                            "متحف بوشكين")),
    P("Armoury Chamber", T, ("armoury", "armory", "оружейная палата", "оружейную палату")),
    P("Zaryadye Park", T, ("zaryadye", "зарядье")),
    P("Kremlin", T, ("kremlin", "кремл", "الكرملين", "كرملين")),
    P("Red Square", A, ("red square", "красная площадь", "красной площади", "الساحة الحمراء",
                            "الساحه الحمراء")),
    P("Moscow City", A, ("moscow city", "москва-сити", "москва сити", "موسكو سيتي")),
    # airports: a transfer, half what "a car" weighs
    P("Sheremetyevo (SVO)", Category.CHAUFFEUR, ("sheremetyevo", "sheremetievo", "svo", "шереметьев",
                                                     "شيريميتيفو", "شيرميتيفو")),
    P("Vnukovo (VKO)", Category.CHAUFFEUR, ("vnukovo", "vko", "внуков", "فنوكوفو")),
    P("Domodedovo (DME)", Category.CHAUFFEUR, ("domodedovo", "dme", "домодедов", "دوموديدوفو")),
    P("Zhukovsky (ZIA)", Category.CHAUFFEUR, ("zhukovsky airport", "аэропорт жуковский", "zia")),
    # cities a flight away: as where they go ("something with wings to Sochi"), a flight
    P("Sochi", F, ("sochi", "сочи", "سوتشي")),
    P("St Petersburg", F, ("st petersburg", "saint petersburg", "petersburg", "piter", "петербург", "питер",
                           "спб", "سانت بطرسبرغ", "بطرسبرغ")),
    P("Kazan", F, ("kazan", "казань", "قازان")),
    P("Kaliningrad", F, ("kaliningrad", "калининград", "كالينينغراد")),
    P("Murmansk", F, ("murmansk", "мурманск", "مورمانسك")),
    P("Yekaterinburg", F, ("yekaterinburg", "ekaterinburg", "екатеринбург")),
    P("Dubai", F, ("dubai", "дубай", "دبي")),
    P("Abu Dhabi", F, ("abu dhabi", "абу-даби", "абу даби", "ابوظبي", "ابو ظبي")),
    P("Doha", F, ("doha", "доха", "الدوحه")),
    P("Riyadh", F, ("riyadh", "эр-рияд", "рияд", "الرياض")),
    P("Jeddah", F, ("jeddah", "jedda", "джидда")),
    P("Istanbul", F, ("istanbul", "стамбул", "اسطنبول")),
    P("Baku", F, ("baku", "баку", "باكو")),
    P("Tbilisi", F, ("tbilisi", "тбилиси", "تبليسي")),
    P("London", F, ("london", "лондон", "لندن")),
    P("Paris", F, ("paris", "париж", "باريس")),
    P("Geneva", F, ("geneva", "женева", "جنيف")),
    P("Nice", F, ("nice airport", "ницца", "نيس")),
    P("Courchevel", F, ("courchevel", "куршевель", "كورشفيل")),
    P("Maldives", F, ("maldives", "мальдив", "المالديف")),
)  # fmt: skip

_AR = "\u0600-\u06ff"
# every spelling, longest first: "pushkin museum" is taken before "pushkin" can be
_SPELLINGS = sorted(
    ((normalize(spelling), place) for place in GAZETTEER for spelling in place.spellings),
    key=lambda pair: len(pair[0]),
    reverse=True,
)


_CLITICS = ("", "و", "ب", "ل", "لل", "وال", "بال", "ول", "فال")


def _spelled(spelling: str) -> re.Pattern[str]:
    """A name as said from where it starts: Russian with its case endings ("в Ритце", "из Внукова"), Latin
    with a plural or a possessive, Arabic as a whole word (its clitics before it are checked apart)."""
    body = re.escape(spelling)
    if re.search("[а-я]", spelling) and len(spelling) > 4 and spelling[-1] in "аяьй":
        return re.compile(rf"{body[:-1]}[а-я]{{0,3}}(?![а-я])")  # "Белуга", "в Белугу", "в Казани"
    if re.search("[а-я]", spelling):
        return re.compile(rf"{body}[а-я]{{0,3}}(?![а-я])")
    if re.search(f"[{_AR}]", spelling):
        return re.compile(rf"{body}(?![{_AR}])")
    return re.compile(rf"{body}(?:'s|s|a|e|u|om)?(?![a-z])")  # "Turandota": a Russian case in Latin


# the spellings by their first two letters: a message is read word by word, not against every name
_BY_START: dict[str, list[tuple[re.Pattern[str], NamedPlace]]] = {}
for _spelling, _place in _SPELLINGS:
    _BY_START.setdefault(_spelling[:2], []).append((_spelled(_spelling), _place))
_WORD = re.compile(r"(?<!\w)\w")


def named_places(normalized: str) -> list[tuple[int, int, NamedPlace]]:
    """The places named, as (start, end, place), none inside a longer one; in the order said."""
    found: list[tuple[int, int, NamedPlace]] = []
    end = 0
    for word in _WORD.finditer(normalized):
        start = word.start()
        if start < end:
            continue  # inside a name already taken
        arabic = "\u0600" <= normalized[start] <= "\u06ff"
        for clitic in _CLITICS if arabic else ("",):
            if (taken := _name_at(normalized, start, clitic)) is not None:
                found.append(taken)
                end = taken[1]
                break
    return found


def _name_at(normalized: str, start: int, clitic: str) -> tuple[int, int, NamedPlace] | None:
    if not normalized.startswith(clitic, start):
        return None
    at = start + len(clitic)
    for regex, place in _BY_START.get(normalized[at : at + 2], ()):  # longest first
        if match := regex.match(normalized, at):
            return at, match.end(), place
    return None
