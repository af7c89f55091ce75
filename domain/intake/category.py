"""The service asked for. Each service word counts its weight; what the words around it say about it changes
that: asked for ("I need a doctor") counts more, a place ("a car to the Bolshoi") or a time ("a doctor after
dinner") less, ruled out ("not a car, a helicopter", "мو مطعم") not at all. The most wins, a tie the first
listed. Named places (intake.places) count as what they are: a restaurant as dining, a theatre as events."""

from __future__ import annotations

from functools import cache

from domain.intake.places import AIRPORT_WEIGHT, KIND_WEIGHT, NamedPlace, named_places
from domain.intake.text import REQUEST_CUES, Lexicon, pattern, re_compile
from domain.intake.words import KEYWORDS, Category

_AR = "\u0600-\u06ff"

# a service named after one of these is where it happens, not what is asked: "a car to the Bolshoi", "цветы в
# номер", "عشاء في مطعم"
_PLACE_BEFORE = re_compile(
    r"(?:(?<!\w)(?:from|to|near|at|in|into|on|by|outside|inside)\s+(?:the\s+|a\s+|an\s+|my\s+|our\s+|your\s+)?"
    r"|(?<!\w)(?:к|от|из|у|в|во|на|возле|около|рядом с|до)\s+(?:\w+\s+)?"
    rf"|(?<![{_AR}])(?:من|الى|لين|قرب|عند|في|جنب|امام|قدام|حق)\s+"
    # the destination of "take me": "take me to the pharmacy", "отвезите меня в аптеку", "وديني الصيدليه"
    r"|(?<!\w)(?:take|drive|drop|get|ride)\s+(?:me|us)?\s*(?:to|at)?\s+(?:the\s+|a\s+)?"
    r"|(?<!\w)(?:go|going|went)\s+(?:to\s+)?(?:the\s+|a\s+)?"  # "my wife wants to go shopping: send the car"
    r"|(?<!\w)(?:едем|едут|поедем|идем|идём|пойдем|пойдём|собираемся)\s+"  # "машину, едем ужинать в Белугу"
    rf"|(?<![{_AR}])(?:بنروح|رايحين|بنتعشى|بنتغدى|بنفطر)\s+"
    r"|(?<!\w)with\s+(?:the\s+|a\s+|an\s+|my\s+|our\s+)?"  # "we're 7 with the nanny": who comes along
    # the name a booking is under: "table under Al-Sabah", "الطاولة باسم", "столик на имя"
    r"|(?<!\w)(?:under|booked|reserved)\s+(?:\S+\s+){0,2}"
    r"|(?<!\w)(?:отвез|довез|подвез)\w*\s+(?:меня\s+|нас\s+)?(?:в|к|на|до)?\s*"
    rf"|(?<![{_AR}])(?:وديني|ودني|ودينا|يوديني|يودينا|وصلني|وصلنا|يوصلني|يوصلنا|خذني|خذنا)\s+(?:الى\s+|لل?)?"
    rf"(?:[{_AR}]+\s+)?"  # the destination's first word too: "وديني مطعم وايت رابيت"
    rf"|(?<![{_AR}])(?:يوصل|توصل|يجي|تجي|يجيني|يجينا)\s+(?:الى\s+|لل?)?"  # "اكل يوصل الجناح": delivered there
    r")$"
)
# ... and after one of these, when it happens: "a doctor after dinner", "после ужина", "بعد العشاء",
_TIME_BEFORE = re_compile(
    r"(?:(?<!\w)(?:after|before|during|until|till|since|for)\s+(?:the\s+|a\s+|an\s+|my\s+|our\s+|your\s+)?"
    r"|(?<!\w)(?:после|перед|до|во время|к)\s+(?:\w+\s+)?"
    rf"|(?<![{_AR}])(?:بعد|قبل|عقب|وقت|خلال|على)\s+"
    # the occasion: "flowers for my daughter's birthday lunch", "a photographer for our anniversary dinner"
    r"|(?<!\w)for\s+(?:\S+\s+){1,3}(?=$)"
    # ... or what the client already has: "we have a table at Beluga", "у нас ужин", "عندنا حجز"
    r"|(?<!\w)(?:we have|(?<!could )(?<!can )(?<!may )i have|we've got|we already have|we're having"
    r"|we are having|у нас|у меня)"
    r"\s+(?:a\s+|the\s+)?"
    rf"|(?<![{_AR}])(?:عندنا|عندي)\s+)$"
)
# what ends a ruled-out stretch: a new clause, a "but", or a new ask
_BOUNDARY = re_compile(
    r"[,.;:!?\n]|(?<!\w)(?:but|instead|rather|please|i need|i want|we need|we want|get us|get me|book|"
    r"а|но|лучше|нужн\w*|хочу|хотим|закаж\w*|забронир\w*|make it|перенес\w*|just|просто)(?!\w)|[-–—]"
    rf"|(?<![{_AR}])(?:بل|لكن|بس|ابي|ابغى|نبي|نبغى|اريد|احتاج|نحتاج|وابي|ونبي|وبدل\w*|بدله|بداله|عوضه|خلوه|خليها|خلها)(?![{_AR}])"
)
# what rules a service out: "not", "no", "instead of", "forget the", "cancel", "не ... а", "вместо", "مو"
_NEGATION = re_compile(
    r"(?<!\w)(?:not|no(?! (?:later|earlier|more|less|problem|worries|rush|wait))|don'?t need|do not need"
    r"|don'?t want|no need for|instead of|rather than|forget(?: about)?|cancel|skip|without"
    r"|не нужн\w*|не надо|не хочу|не хотим|не будем|вместо|отмени\w*"
    r"|без(?! (?:четверти|пяти|десяти|пятнадцати|двадцати|\d))"  # "без четверти десять" is a time
    r"|не(?= (?:\w+ ){0,2}\w+,? а )"  # "не" rules out only in "не X, а Y": "не могли бы вы" asks
    rf")(?!\w)|(?<![{_AR}])(?:مو|مب|مش|ما ابي|ما ابغى|ما نبي|ما نبغى|ما ابغي|لا ابي|لا نبي|ما نحتاج|ما احتاج"
    rf"|بدون|بلا|بدل|بدال|عوض|بلاش|الغي|الغاء|الغوا|الغيت|تلغي|نلغي|كنسل\w*|انسى|مو لازم)(?![{_AR}])"
)


_WHEN_WORD = re_compile(
    r"(?<![\w\u0600-\u06ff])(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|сегодня|завтра|послезавтра|понедельник\w*|вторник\w*|сред\w|четверг\w*|пятниц\w|суббот\w|воскресен\w*"
    r"|اليوم|الليله|بكره|بكرا|باچر|باكر|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|الاحد)(?![\w\u0600-\u06ff])"
)


# said after what it rules out: "Гид не нужен", "a guide is not needed", "المرشد مو لازم"
_NOT_NEEDED = re_compile(
    r"(?<!\w)(?:не нужен|не нужна|не нужно|не нужны|не надо|not needed|no longer needed|отменя\w+)(?!\w)"
    rf"|(?<![{_AR}])(?:مو لازم|ما نحتاجه|ما نبيه|ما ابيه|مب لازم)(?![{_AR}])"
)


_ACTION = re_compile(
    r"(?:отвез|довез|подвез|заберит|встретит"
    r"|pick (?:me|us) up|collect (?:me|us)|take (?:me|us)|drive (?:me|us)|drop (?:me|us))"
    rf"|(?:وديني|ودني|ودينا|يوديني|يودينا|وصلني|وصلنا|يوصلني|يوصلنا|خذني|خذنا)(?![{_AR}])"
)
_TOWARDS = re_compile(rf"(?:(?<!\w)(?:to|в|во|до)|(?<![{_AR}])(?:الى|لين|ل))\s*$")
_VENUES = (Category.HOTEL, Category.DINING, Category.EVENTS, Category.SHOPPING, Category.TOURS)
_Hit = tuple[int, int, Category, float, str, bool]  # start, -end, service, weight, clitic, a named place
_AND_SO_ON = re_compile(
    r"[\s,]*(?:and|or|и|или|و)\s+(?:(?:the|a|some|other|probably|maybe|also|then|другие|другой|еще|ещё)\s+){0,3}"
)
_ROOM_NUMBER = re_compile(r"\s*(?:no\.?\s*|№\s*|#\s*)?\d")
_UNDER_A_NAME = re_compile(r"\s+(?:under|booked under|in the name of|на имя|باسم)(?![\w\u0600-\u06ff])")
# tickets with a museum or a sight named are a tour: "tickets to the Pushkin Museum", "متحف بوشكين ... تذاكر"
_TICKETS = re_compile(r"(?<![\w\u0600-\u06ff])(?:tickets?|билет\w*|تذاكر|تذكره|تكت\w*)(?![\w\u0600-\u06ff])")


def ruled_out(normalized: str, services: list[int] | None = None) -> list[tuple[int, int]]:
    """Where the client rules something out: "not Monday", "no restaurant tonight", "مب الاثنين". With
    `services` (where service words start), only what rules a service out: "no car today, but tomorrow yes"
    rules out today; "no car tomorrow, but a guide tomorrow" rules out the car."""
    spans = []
    whens = [found.start() for found in _WHEN_WORD.finditer(normalized)] if services is not None else []
    for cue in _NEGATION.finditer(normalized):
        end = cue.end()
        boundary = _BOUNDARY.search(normalized, end, end + 40)  # (bounded: a scope is a clause)
        stop = boundary.start() if boundary else min(len(normalized), end + 40)
        day_for_day = any(cue.start() <= w < stop for w in whens) and any(w >= stop for w in whens)
        if day_for_day and not any(s >= stop for s in services or ()):
            continue  # a day ruled out for another said after it
        spans.append((cue.start(), stop))
    for cue in _NOT_NEEDED.finditer(normalized):
        clause = max(normalized.rfind(mark, 0, cue.start()) for mark in ",.;!?\n")
        spans.append((max(clause + 1, cue.start() - 30), cue.end()))
    return spans


@cache
def _asked() -> Lexicon:
    """A request cue and what follows it: the thing asked for ("need a doctor", "ابي سياره"); a "please"
    asks nothing by itself ("ورد للمطعم لو سمحت، كافيه بوشكين": the café is where)."""
    return pattern(tuple(cue for cue in REQUEST_CUES if cue not in _POLITE))


_POLITE = frozenset(("لو سمحت", "من فضلك", "ارجو", "نرجو", "прошу", "пожалуйста забронируйте"))


def _weight(normalized: str, start: int, weight: float, asked_ends: list[int], clitic: str = "") -> float:
    before = normalized[max(0, start - 32) : start]
    if _TIME_BEFORE.search(before):
        return weight / 4
    preposition = clitic.replace("ال", "", 1) if clitic.endswith("ال") else clitic  # not the article itself
    if _PLACE_BEFORE.search(before) or "ل" in preposition or "ب" in preposition:  # لمطعم، بالمطعم، للجناح
        return weight / 2
    if any(0 <= start - end <= 12 for end in asked_ends):
        return weight * 1.5  # the object of "need", "book", "ابي": what is asked for
    if _THEIRS.search(before) or _STATED.match(normalized, start):
        return weight / 2  # "our Emirates flight leaves at 6", "рейс садится в 23:40": what they already have
    return weight


_STATED = re_compile(
    r"\S+(?:\s+\S+){0,3}?\s+(?:leaves|lands|arrives|departs|gets in|takes off|got moved|was moved|is moved"
    r"|is (?:on|at|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|tonight)"
    r"|садится|вылетает|прилетает|приземляется)(?!\w)"
    rf"|\S+(?:\s+\S+){{0,3}}?\s+(?:تطير|توصل|تقلع)(?![{_AR}])"
)
_THEIRS = re_compile(r"(?<!\w)(?:our|my|his|her|their|наш\w*|мо[йяеи]\w*)\s+(?:\w+\s+)?$")


_WEIGHTED = {
    category: tuple(
        (weight, tuple(w for w, wt in words if wt == weight)) for weight in {wt for _, wt in words}
    )
    for category, words in KEYWORDS.items()
}


def category_of(normalized: str, places: list[tuple[int, int, NamedPlace]] | None = None) -> Category:
    """The service asked for. A service said for itself outranks one said only as where or when ("flowers to
    the restaurant by lunch" is flowers); among those said for themselves, the weights decide, then the order
    of the table. `places`: the named places, when they were already found."""
    places = named_places(normalized) if places is None else places
    asked_ends = [m.end() for m in _asked().finditer(normalized)]
    direct: dict[Category, float] = {}
    scores: dict[Category, float] = {}
    taken: list[tuple[int, int]] = []
    context_ends: list[int] = []  # where a service word said of a place or a time ends

    def count(category: Category, start: int, weight: float, end: int, clitic: str, name: bool) -> None:
        if not name and any(a <= start < b for a, b, _ in places):
            return  # "Dr. Zhivago" is a restaurant, not a doctor
        if any(a <= start < b for a, b in out) or any(a <= start < b for a, b in taken):
            return  # ruled out, or part of a phrase already counted ("a table" in "table at")
        taken.append((start, end))
        counted = _weight(normalized, start, weight, asked_ends, clitic)
        if _ACTION.match(normalized, start):  # "отвезите", "pick us up", "وديني": a verb asks, wherever said
            counted = max(counted, weight)
        if category is Category.HOTEL and _ROOM_NUMBER.match(normalized, end):
            counted = weight / 4  # "room 305", "غرفه 305": where they are, not a room asked for
        elif _UNDER_A_NAME.match(normalized, end):
            counted = weight / 4  # "table under Al-Sabah", "الطاولة باسم الكعبي": the booking they have
        if name and any(0 <= start - e <= 2 for e in context_ends):
            counted = min(counted, weight / 2)  # "в ресторан Турандот", "وديني فندق الريتز": one place
        elif any(0 < start - e <= 40 and _AND_SO_ON.fullmatch(normalized, e, start) for e in context_ends):
            counted = min(counted, weight / 2)  # "go to GUM and TsUM and some other shops": all where
            context_ends.append(end)
        elif counted < weight:
            context_ends.append(end)
        elif weight >= KIND_WEIGHT:  # a service said for itself (not a weak word: "flight", "hotel")
            if not direct:
                counted *= 1.25  # the first one: messages lead with what they ask
            direct[category] = direct.get(category, 0.0) + counted
        scores[category] = scores.get(category, 0.0) + counted

    hits = [
        (found.start(), -found.end(), category, weight, found.clitic, False)
        for category, groups in _WEIGHTED.items()
        for weight, words in groups
        for found in pattern(words).finditer(normalized)
    ]
    hits = [_at_a_club(normalized, hit, places) for hit in hits]
    for start, end, place in dict((p[2].name, p) for p in reversed(places)).values():  # each place once
        if place.kind is Category.AVIATION and not _TOWARDS.search(normalized[max(0, start - 8) : start]):
            continue  # a city is a flight only as where they go: "we're in Kazan" asks for nothing
        if place.kind is not None:
            weight = KIND_WEIGHT if place.kind in _VENUES else AIRPORT_WEIGHT
            hits.append((start, -end, place.kind, weight, "", True))
        if place.kind is Category.TOURS and (ticket := _TICKETS.search(normalized)):
            hits = [h for h in hits if not (h[2] is Category.EVENTS and h[0] == ticket.start())]
            hits.append((ticket.start(), -ticket.end(), Category.TOURS, 2.0, "", False))
    out = ruled_out(normalized, services=[h[0] for h in hits])
    order = list(KEYWORDS)
    # left to right, the longest first where two begin together ("تذاكر لمتحف" before "تذاكر")
    for start, minus_end, category, weight, clitic, name in sorted(
        hits, key=lambda h: (h[0], h[1], order.index(h[2]))
    ):
        count(category, start, weight, -minus_end, clitic, name)
    ranked = sorted(order, key=lambda c: (-direct.get(c, 0.0), -scores.get(c, 0.0), order.index(c)))
    return ranked[0] if scores.get(ranked[0], 0.0) > 0 else Category.OTHER


_TABLE = re_compile(r"(?:a\s+)?(?:table|столик|стол|طاوله)")
_AT = re_compile(r"\s+(?:at|in|в|во|في)\s+(?:the\s+|a\s+)?")


def _at_a_club(normalized: str, hit: _Hit, places: list[tuple[int, int, NamedPlace]]) -> _Hit:
    """ "A table at Soho Rooms" is a night out: the table counts as what the place is."""
    start, minus_end, category, weight, clitic, name = hit
    if category is not Category.DINING or not _TABLE.fullmatch(normalized, start, -minus_end):
        return hit
    at = _AT.match(normalized, -minus_end)
    club = at is not None and any(a == at.end() and p.kind is Category.EVENTS for a, _, p in places)
    return (start, minus_end, Category.EVENTS, weight, clitic, name) if club else hit


def service_starts(normalized: str) -> list[int]:
    """Where each service word or named place of a kind begins, whatever is said around it."""
    words = [
        hit.start()
        for groups in _WEIGHTED.values()
        for _, w in groups
        for hit in pattern(w).finditer(normalized)
    ]
    return words + [start for start, _, place in named_places(normalized) if place.kind is not None]


def names_a_service(normalized: str) -> bool:
    """A service not listed by kind is asked for by naming it: "a photographer for Tuesday"."""
    return any(pattern(words).search(normalized) for _, words in _WEIGHTED[Category.OTHER])
