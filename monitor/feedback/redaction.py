"""Remove personal data from what residents type, before anything is stored.

Residents write things like "my email is jo@example.com, I live at ME14 1XQ". The
monitor never needs those details, and the people reading feedback must not see them, so
each kind is replaced by a placeholder (``[email]``, ``[phone]``, ``[postcode]``,
``[ni-number]``, ``[card-number]``, ``[date-of-birth]``, ``[ip-address]``,
``[reference]``) and the kinds found are kept as flags on the record.

The rules lean towards removing, but not blindly: a product code that merely looks like a
postcode ("model X12 3AB-2000", "part number AB12CD") is left alone, because a comment
full of needless placeholders is useless to the service owner.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from monitor.config import RedactPattern

EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
NI_NUMBER = "ni-number"
CARD_NUMBER = "card-number"
DATE_OF_BIRTH = "date-of-birth"
IP_ADDRESS = "ip-address"
REFERENCE = "reference"
KINDS = (EMAIL, PHONE, POSTCODE, NI_NUMBER, CARD_NUMBER, DATE_OF_BIRTH, IP_ADDRESS, REFERENCE)

# The 121 postcode areas of the UK (plus the Channel Islands and the Isle of Man): a
# "postcode" whose letters are not one of them is a product code.
POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT
    KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH
    RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF
    WN WR WS WV YO ZE""".split()  # noqa: SIM905
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# National Insurance numbers: two letters, six digits, a suffix A-D, often with spaces.
# The letters are not checked against HMRC's rules: a resident's typo is still personal.
_NI = re.compile(r"\b[A-Z]{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?[A-D]\b", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mname>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = (
    re.compile(r"\b(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{2})\b"),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<y>\d{4})\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b", re.IGNORECASE
    ),
)
_BIRTH_CONTEXT = re.compile(r"\b(?:born|birth|dob|d\.o\.b|birthday|aged?)\b", re.IGNORECASE)
# A UK phone number: +44 / 0044 / 0, then 9-10 digits with spaces, dashes or brackets
# between them; checked digit by digit in ``_is_uk_phone``.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s\-)]{0,2}){8,9}\d(?!\w)"
)
_POSTCODE = re.compile(
    r"(?<![\w\-])(?P<out>[A-Z]{1,2}\d[A-Z\d]?)(?P<space>\s?)(?P<in>\d[ABD-HJLNP-UW-Z]{2})(?![\w\-])",
    re.IGNORECASE,
)
_ADDRESS_CONTEXT = re.compile(
    r"\b(?:live[sd]?|living|address|post\s?code|street|st|road|rd|lane|ln|avenue|ave|close|"
    r"drive|way|court|crescent|gardens|place|terrace|house|flat|cottage|farm|village|town|"
    r"moved|deliver(?:ed|y)?|sent\s+to|home)\b",
    re.IGNORECASE,
)
_PRODUCT_CONTEXT = re.compile(
    r"\b(?<!post )(?:model|part|product|serial|item|code|sku|version|firmware|ref(?:erence)?|no\.?|"
    r"number|order|type)\W*(?:number|no\.?|code)?\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Redacted:
    """The text with personal data replaced, and which kinds were found."""

    text: str
    kinds: frozenset[str]

    @property
    def redacted(self) -> bool:
        return bool(self.kinds)


def luhn_valid(digits: str) -> bool:
    """The card-number checksum: true for real card numbers, false for most random digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_uk_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    stripped = candidate.lstrip("( ")
    if stripped.startswith("+") or (stripped.startswith("00") and digits.startswith("0044")):
        digits = digits[2:] if digits.startswith("44") else digits[4:]
        national = digits[1:] if digits.startswith("0") else digits  # "+44 (0)1622 ..."
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return False
    return len(national) in (9, 10) and national[0] in "1235789"


class Redactor:
    """Replaces personal data with placeholders; one instance serves every request."""

    def __init__(
        self, references: Sequence[RedactPattern] = (), *, today: date | None = None
    ) -> None:
        self._references = [re.compile(p.pattern, re.IGNORECASE) for p in references]
        self._today = today

    def redact(self, text: str) -> Redacted:
        found: set[str] = set()
        for kind, step in self._steps():
            new = step(text)
            if new != text:
                found.add(kind)
                text = new
        return Redacted(text, frozenset(found))

    def redact_fields(self, values: Iterable[str | None]) -> tuple[list[str | None], list[str]]:
        """Redact several texts of one record; return them and the sorted kinds found."""
        kinds: set[str] = set()
        out: list[str | None] = []
        for value in values:
            if value is None:
                out.append(None)
                continue
            result = self.redact(value)
            kinds |= result.kinds
            out.append(result.text)
        return out, sorted(kinds, key=KINDS.index)

    # The order matters: references and emails may hold digit runs that would otherwise be
    # taken for phone or card numbers; dates before phones so "12 03 1985" stays a date.
    def _steps(self) -> list[tuple[str, Callable[[str], str]]]:
        return [
            (REFERENCE, self._references_out),
            (EMAIL, lambda t: _EMAIL.sub("[email]", t)),
            (IP_ADDRESS, _ip_out),
            (CARD_NUMBER, _cards_out),
            (NI_NUMBER, lambda t: _NI.sub("[ni-number]", t)),
            (DATE_OF_BIRTH, self._dates_out),
            (PHONE, lambda t: _PHONE.sub(lambda m: _keep_unless(m, _is_uk_phone, "[phone]"), t)),
            (POSTCODE, _postcodes_out),
        ]

    def _references_out(self, text: str) -> str:
        for pattern in self._references:
            text = pattern.sub("[reference]", text)
        return text

    def _dates_out(self, text: str) -> str:
        today = self._today or date.today()
        for pattern in _DATES:
            text = pattern.sub(functools.partial(self._date_or_keep, text=text, today=today), text)
        return text

    @staticmethod
    def _date_or_keep(match: re.Match[str], *, text: str, today: date) -> str:
        groups = match.groupdict()
        try:
            day = int(groups["d"])
            month = _MONTHS[groups["mname"].lower()] if groups.get("mname") else int(groups["m"])
            year = int(groups["y"])
        except (KeyError, ValueError):
            return match.group(0)
        if len(groups["y"]) == 2:
            year += 2000 if year <= today.year % 100 else 1900
        try:
            when = date(year, month, day)
        except ValueError:
            return match.group(0)
        if when > today:
            return match.group(0)
        before = text[max(0, match.start() - 40) : match.start()]
        # A date with "born", "DOB"... near it is a birth date; so is one from long ago.
        # A recent date without that context is when something happened: it stays.
        if _BIRTH_CONTEXT.search(before) or when.year <= today.year - 16:
            return "[date-of-birth]"
        return match.group(0)


def _keep_unless(match: re.Match[str], test: Callable[[str], bool], placeholder: str) -> str:
    return placeholder if test(match.group(0)) else match.group(0)


def _ip_out(text: str) -> str:
    text = _IPV4.sub("[ip-address]", text)

    def ipv6(match: re.Match[str]) -> str:
        try:
            ipaddress.IPv6Address(match.group(0))
        except ValueError:
            return match.group(0)
        return "[ip-address]"

    return _IPV6.sub(ipv6, text)


def _cards_out(text: str) -> str:
    def card(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "[card-number]" if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)

    return _CARD.sub(card, text)


def _postcodes_out(text: str) -> str:
    def postcode(match: re.Match[str]) -> str:
        outward = match.group("out").upper()
        area = re.match(r"[A-Z]+", outward)
        if area is None or area.group(0) not in POSTCODE_AREAS:
            return match.group(0)
        before = text[max(0, match.start() - 80) : match.start()]
        if _PRODUCT_CONTEXT.search(before[-30:]):
            return match.group(0)
        # "ME14 1XQ" is a postcode wherever it stands; "me141xq" only where the comment
        # talks about where someone lives, or product codes like "AB12CD" would go too.
        if match.group("space") or _ADDRESS_CONTEXT.search(before):
            return "[postcode]"
        return match.group(0)

    return _POSTCODE.sub(postcode, text)
