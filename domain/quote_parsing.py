"""What an assistant types after /quote, read into line items."""

from __future__ import annotations

import re

from domain.errors import InvalidMoney, InvalidQuote
from domain.money import ISO_CURRENCIES, SUPPORTED_CURRENCIES, Money
from domain.quotes import LineItem

DEFAULT_CURRENCY = "RUB"
USAGE = (
    "Write /quote 45000 RUB Mercedes S-Class with chauffeur, 18:00–23:00 — or /quote RUB and then one "
    "line per item: description — amount. RUB unless you say USD, EUR or AED."
)
# kopecks after a point, or after a comma as a Russian keyboard types them ('4 999,50', '1500,50'; '1,5'
# is not guessed at)
_AMOUNT = r"(?P<amount>\d{1,3}(?:[ \u00a0,]\d{3})+(?:[.,]\d{1,2})?|\d{3,},\d{1,2}|\d+(?:\.\d{1,2})?)(?![\d.])"
# a currency as assistants write it besides its ISO code: its sign, or its word in Russian or Arabic
# ("/quote 12 500 руб трансфер" was RUB 12,500 for "руб трансфер")
CURRENCY_WORDS = {
    **dict.fromkeys(
        (
            "₽",
            "р",
            "р.",
            "руб",
            "руб.",
            "рубль",
            "рубля",
            "рублей",
            "روبل",
            "rouble",
            "roubles",
            "ruble",
            "rubles",
        ),
        "RUB",
    ),
    **dict.fromkeys(
        ("$", "долл", "долл.", "доллар", "доллара", "долларов", "دولار", "dollar", "dollars"), "USD"
    ),
    **dict.fromkeys(("€", "евро", "يورو", "euro", "euros"), "EUR"),
    **dict.fromkeys(("дирхам", "дирхама", "дирхамов", "درهم", "dirham", "dirhams"), "AED"),
}
_WORDS = "|".join(re.escape(word) for word in sorted(CURRENCY_WORDS, key=len, reverse=True))


def _code(name: str, before_amount: bool = False) -> str:
    """A currency said: its ISO code or one of its words, followed by a space or the end (or, before the
    amount, by its first digit: "$500")."""
    after = r"(?=\s|\d|$)" if before_amount else r"(?=\s|$)"
    return rf"(?P<{name}>[A-Za-z]{{3}}|{_WORDS}){after}"


_LEADING = _code("currency", before_amount=True)
_SINGLE = re.compile(
    rf"^(?:{_LEADING}\s*)?{_AMOUNT}(?:\s*{_code('currency2')})?\s*(?P<description>.*)$", re.S | re.IGNORECASE
)
# one line with the price last, after a dash, a colon or an equals sign set apart by spaces ("2 tickets —
# 96 000 руб"; "18:00-23" is a time, not a price)
_PRICED = re.compile(
    rf"^(?P<description>.+?)(?:\s+(?:—|–|-|=)|:)\s+{_AMOUNT}\s*(?:{_code('currency')})?\s*$", re.IGNORECASE
)
_LINE = re.compile(
    rf"^(?P<description>.+?)\s*(?:—|–|-|:|=)\s*{_AMOUNT}\s*(?:{_code('currency')})?\s*$", re.IGNORECASE
)
# the supplier's cost, said last: "… cost 31000", "… cost: 31 000 RUB", "… себестоимость 31000" — on a
# one-line quote after its description, on an itemised one as a last line of its own ("cost — 31000"), so an
# item that merely says the word ("Fuel cost — 5000", "fuel cost included") stays an item
_COST_WORDS = r"(?:cost|себестоимость|закупка|التكلفة)"
# (its currency before the amount — "cost $31000" — or after it, in brackets too: "(cost 31000 руб)")
_COST_TAIL = (
    rf"\s*(?:—|–|-|:|=)?\s*(?:{_code('lead', before_amount=True)}\s*)?{_AMOUNT}"
    rf"(?:\s*(?P<currency>[A-Za-z]{{3}}|{_WORDS})(?=[\s)]|$))?\s*\)?\s*$"
)
_COST = re.compile(rf"(?:^|[\s,;(]){_COST_WORDS}{_COST_TAIL}", re.IGNORECASE)
_COST_LINE = re.compile(rf"(?:^|\n)[ \t]*{_COST_WORDS}{_COST_TAIL}", re.IGNORECASE)


def _currency(code: str | None, fallback: str) -> str:
    if code is None:
        return fallback
    code = CURRENCY_WORDS.get(code.lower(), code.upper())
    if code not in SUPPORTED_CURRENCIES:
        raise InvalidQuote(
            f"{code} is not a currency we accept; use RUB, USD, EUR or AED.", key="quote-currency", code=code
        )
    return code


def _money(amount: str, currency: str) -> Money:
    try:
        return Money.of(re.sub(r"[ \u00a0,]", "", re.sub(r",(\d{1,2})$", r".\1", amount)), currency)
    except InvalidMoney as error:
        if error.key == "amount-too-large":
            raise InvalidQuote(str(error), key=error.key, **error.params) from None
        raise InvalidQuote(f"{amount} is not an amount: {error}", key="amount", amount=amount) from None


def parse_quote(args: str) -> tuple[str, tuple[LineItem, ...]]:
    """('RUB', items) from '45000 RUB Car, 18:00–23:00' or from 'RUB\\nCar — 30000\\nFlowers — 15000'."""
    text = args.strip()
    if not text:
        raise InvalidQuote(USAGE, key="quote-usage")
    first, _, rest = text.partition("\n")
    header = first.strip()
    header_is_currency = _is_currency(header)
    if rest.strip() or header_is_currency:
        currency = _currency(header if header_is_currency else None, DEFAULT_CURRENCY)
        lines = rest.splitlines() if header_is_currency else text.splitlines()
        items = []
        for line in (ln.strip() for ln in lines):
            if not line:
                continue
            match = _LINE.match(line)
            if not match:
                raise InvalidQuote(
                    f"“{line}” needs the form: description — amount. {USAGE}", key="quote-line", line=line
                )
            line_currency = _currency(
                match["currency"] if _is_currency(match["currency"]) else None, currency
            )
            if line_currency != currency:
                raise InvalidQuote(
                    f"every line must be in {currency}; “{line}” is in {line_currency}.",
                    key="quote-line-currency",
                    currency=currency,
                    line=line,
                    other=line_currency,
                )
            items.append(LineItem(match["description"].strip(" -—–:"), _money(match["amount"], currency)))
        if not items:
            raise InvalidQuote(USAGE, key="quote-usage")
        return currency, tuple(items)
    match = _SINGLE.match(header)
    if (priced := _priced(header, match)) is not None:  # "Transfer to SVO — 12 500 руб": the price last
        return priced
    if not match or (match["currency"] and not _is_currency(match["currency"])):
        raise InvalidQuote(f"A quote needs an amount and a description. {USAGE}", key="quote-needs")
    description = match["description"]
    after = match["currency2"] if _is_currency(match["currency2"]) else None
    if match["currency2"] and not after:  # "45000 VIP table": a word, not a currency
        description = f"{match['currency2']} {description}"
    if not description.strip():
        raise InvalidQuote(f"A quote needs an amount and a description. {USAGE}", key="quote-needs")
    if match["currency"] and after:
        raise InvalidQuote(f"Say the currency once. {USAGE}", key="quote-currency-once")
    currency = _currency(match["currency"] or after, DEFAULT_CURRENCY)
    return currency, (LineItem(description.strip(" ,-—–"), _money(match["amount"], currency)),)


def priced_last(line: str) -> bool:
    """Does one line say its price last, after a spaced dash or a colon ("2 tickets, stalls — 96000")?"""
    return _PRICED.match(line.strip()) is not None


def _priced(line: str, first: re.Match[str] | None) -> tuple[str, tuple[LineItem, ...]] | None:
    """One line with the price last ("Transfer to SVO — 12 500 руб"), when that is how it reads. A line that
    also begins with a number (`first`) reads as its currency says: the number said with a currency is the
    price ("2 tickets, stalls — 96 000 руб" was quoted silently at RUB 2); with none or both, it is
    refused."""
    priced = _PRICED.match(line)
    if priced is None or (priced["currency"] is not None and not _is_currency(priced["currency"])):
        return None
    currency = _currency(priced["currency"], DEFAULT_CURRENCY)
    amount, description = _money(priced["amount"], currency), priced["description"].strip(" -—–:")
    if first is not None:
        first_said = bool(first["currency"]) or _is_currency(first["currency2"])
        if _money(first["amount"], currency) == amount or (first_said and priced["currency"] is None):
            return None  # (the price first, as ever)
        if first_said or priced["currency"] is None:
            raise InvalidQuote(
                f"“{line}” has two amounts, {first['amount']} and {priced['amount']}: write the price first, "
                f"with its currency — /quote 45000 RUB …",
                key="quote-two-amounts",
                line=line,
                first=first["amount"],
                last=priced["amount"],
            )
    return currency, (LineItem(description, amount),)


def _cost_in(text: str) -> re.Match[str] | None:
    """The cost said last: after a one-line quote's description, or as an itemised quote's last line."""
    said = (_COST_LINE if "\n" in text else _COST).search(text)
    if said is not None and said["lead"] and not _is_currency(said["lead"]):
        return None  # "… cost may add 500": a word before the amount, not a currency
    return said


def cost_said(args: str) -> bool:
    """Does this /quote say a supplier's cost (right or wrong)?"""
    text = args.strip()
    return _cost_in(text) is not None


def without_cost(args: str) -> str:
    """A /quote's words with the supplier's cost left out (for what the whole team reads)."""
    text = args.strip()
    said = _cost_in(text)
    return text[: said.start()].rstrip(" ,;—–-(") + " · cost •••" if said else args


def parse_quote_and_cost(args: str) -> tuple[str, tuple[LineItem, ...], Money | None]:
    """`parse_quote`, and the supplier's cost when it is said last (`/quote 45000 RUB Car cost 31000`, or a
    last line `cost — 31000`): in the quote's currency, seen only by leads and whoever quoted."""
    text = args.strip()
    said = _cost_in(text)
    if said is None:
        return (*parse_quote(text), None)
    currency, items = parse_quote(text[: said.start()].rstrip(" ,;—–-("))
    codes = [code for code in (said["lead"], said["currency"]) if code]
    if any(_currency(code, currency) != currency for code in codes):
        raise InvalidQuote(
            f"The cost is in the quote's currency, {currency}: /quote 45000 {currency} … cost 31000.",
            key="quote-cost-currency",
            currency=currency,
        )
    cost = _money(said["amount"], currency)
    if cost.minor <= 0:
        raise InvalidQuote("A cost is more than nothing: … cost 31000.", key="quote-cost-zero")
    return currency, items, cost


def _is_currency(word: str | None) -> bool:
    if not word:
        return False
    return word.upper() in ISO_CURRENCIES or word.lower() in CURRENCY_WORDS


_AN_AMOUNT = re.compile(rf"(?:{_LEADING}\s*)?{_AMOUNT}(?:\s*{_code('currency2')})?", re.IGNORECASE)


def amount_said(text: str, currency: str) -> Money:
    """An amount as an assistant types it after /edit budget or /refund, with its currency or without (then
    `currency`): '15000', '15 000 RUB', '15 000 руб', '$500', 'RUB 15000'."""
    said = text.strip()
    match = _AN_AMOUNT.fullmatch(said)
    if match is None:
        raise InvalidQuote(f"“{said}” is not an amount.", key="amount", amount=said)
    if match["currency"] and match["currency2"]:
        raise InvalidQuote(f"“{said}” is not an amount.", key="amount", amount=said)
    return _money(match["amount"], _currency(match["currency"] or match["currency2"], currency))
