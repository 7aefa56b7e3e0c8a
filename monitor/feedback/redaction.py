"""Remove personal data from what residents type, before anything is stored.

Residents write things like "my email is jo@example.com, I live at ME14 1XQ", and they
write them however they like: "jo dot bloggs at gmail dot com", "0 7 7 0 0 9 0 0 1 2 3",
a National Insurance number in full-width characters from a phone's keyboard. The monitor
never needs those details, and the people reading feedback must not see them, so each is
replaced by a placeholder (``[email]``, ``[phone]``, ``[nhs-number]``...) and the kinds
found are kept as flags on the record.

How it works: the text is first *folded* into a matching view (Unicode NFKC, so full-width
and other compatibility characters become plain ones; every kind of dash becomes "-";
zero-width characters, soft hyphens and combining marks are dropped), keeping for each
character of the view the position it came from. Detectors run on the view in a fixed
order; whatever one finds is blanked out of the view so later ones cannot see it (an
email's digits are not a phone number). Numbers are found as *digit runs*: digits with
spaces, dashes, dots, slashes or brackets between them, however many; each run is split
into windows of whole groups, and a window is a phone, card, NHS, sort code or account
number only if its digits pass that kind's own test (a UK number plan, Luhn, the NHS
modulus-11 check digit, the words around it). Only the matched parts of the resident's
own text are replaced: everything else is stored exactly as typed.

The rules lean towards removing, but not blindly: ordinary numbers, dates of events, road
names (A229, M20), product codes that merely look like postcodes, and the council's own
published telephone numbers (``feedback.published_numbers`` in ``services.yaml``) stay,
because a comment full of needless placeholders is useless to the service owner.

Microsoft Presidio (with its UK recognisers) was measured against this on the tests'
corpus (README, "Resident feedback"): it leaked more and cost more time per comment, and
its names and places need a spaCy model, a heavy dependency that names no identifier the
council asked for.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote

from monitor.config import FeedbackConfig, RedactPattern
from monitor.feedback.submission import MAX_PAGE
from monitor.months import MONTH_NAMES, MONTHS

EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
NI_NUMBER = "ni-number"
NHS_NUMBER = "nhs-number"
CARD_NUMBER = "card-number"
SORT_CODE = "sort-code"
ACCOUNT_NUMBER = "account-number"
PASSPORT_NUMBER = "passport-number"
DRIVING_LICENCE = "driving-licence"
DATE_OF_BIRTH = "date-of-birth"
IP_ADDRESS = "ip-address"
REFERENCE = "reference"
KINDS = (
    EMAIL,
    PHONE,
    POSTCODE,
    NI_NUMBER,
    NHS_NUMBER,
    CARD_NUMBER,
    SORT_CODE,
    ACCOUNT_NUMBER,
    PASSPORT_NUMBER,
    DRIVING_LICENCE,
    DATE_OF_BIRTH,
    IP_ADDRESS,
    REFERENCE,
)

# The 121 postcode areas of the UK (plus the Channel Islands and the Isle of Man): a
# "postcode" whose letters are not one of them is a product code.
POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT
    KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH
    RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF
    WN WR WS WV YO ZE""".split()  # noqa: SIM905
)

# --- the matching view ------------------------------------------------------------------

# What stands in the view for something already found: not a letter, digit, space or
# separator, so no later pattern can match it or across it.
_BLANK = "\x00"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"


def _fold_char(char: str) -> str:
    if char in _DASHES:
        return "-"
    if unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return ""  # zero-width spaces and joiners, soft hyphens, combining marks
    folded = unicodedata.normalize("NFKC", char)
    return " " if folded.isspace() else folded


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each character the first time it is seen."""

    def __init__(self) -> None:
        super().__init__({code: chr(code) for code in range(128)})
        self.resizing: set[str] = set()  # characters that fold to more or less than one

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(folded) != 1:
            self.resizing.add(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(match: re.Match[str]) -> str:
    return _FOLD[ord(match.group())]


def _view(text: str) -> tuple[str, list[int] | None]:
    """The text folded for matching, and where each of its characters came from (``None``:
    from the same position, which is the case for nearly every comment)."""
    if text.isascii():
        return text, None
    # Only the few characters outside ASCII are looked up (a "£" or a curly quote in a
    # long comment should not cost a table look-up for every letter).
    folded = _NON_ASCII.sub(_fold_match, text)
    if _FOLD.resizing.isdisjoint(text):
        return folded, None
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = _FOLD[ord(char)]
        chars.append(piece)
        origin.extend([index] * len(piece))
    return "".join(chars), origin


@dataclass(frozen=True)
class Redacted:
    """The text with personal data replaced, and which kinds were found."""

    text: str
    kinds: frozenset[str]

    @property
    def redacted(self) -> bool:
        return bool(self.kinds)


class _Scan:
    """One text being redacted: the view, and what has been found in it so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.view, self.origin = _view(text)
        self.found: list[tuple[int, int, str | None]] = []  # view start, end, kind (None: keep)

    def take(self, start: int, end: int, kind: str | None) -> None:
        """Record ``view[start:end]`` as ``kind`` (or as kept) and blank it out of the view."""
        if end <= start:
            return
        self.found.append((start, end, kind))
        self.view = self.view[:start] + _BLANK * (end - start) + self.view[end:]

    @functools.cached_property
    def runs(self) -> list[tuple[int, int]]:
        """Where digits stand, with the separators between them ("0 7 7 0 0 9 0 0 1 2 3",
        "12/03/1985", "192.168.1.20"): found once, as the view was when first asked; each
        step reads its stretch again in the view as it is then."""
        return [match.span() for match in _DIGIT_RUN.finditer(self.view)]

    @functools.cached_property
    def lower(self) -> str:
        """The view in lower case, for quick look-ups of words (as it was first made)."""
        return self.view.lower()

    def before(self, start: int, width: int = 40) -> str:
        return self.view[max(0, start - width) : start].lower()

    def result(self) -> Redacted:
        replaced = sorted((f for f in self.found if f[2] is not None), key=lambda f: f[0])
        if not replaced:
            return Redacted(self.text, frozenset())
        pieces: list[str] = []
        position = 0
        for start, end, kind in replaced:
            if self.origin is not None:
                start, end = self.origin[start], self.origin[end - 1] + 1
            pieces += [self.text[position:start], f"[{kind}]"]
            position = end
        pieces.append(self.text[position:])
        return Redacted("".join(pieces), frozenset(kind for _, _, kind in replaced if kind))


# --- checks -------------------------------------------------------------------------------


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


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check digit (a check digit of 10 is never issued)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def uk_national_number(digits: str, international: bool) -> str | None:
    """The national significant number of a UK telephone number written with these digits
    (``international``: it was written with a leading +), or None if it is not one."""
    if international or digits.startswith("0044"):
        rest = digits[2:] if international else digits[4:]
        if international and not digits.startswith("44"):
            return None
        national = rest[1:] if rest.startswith("0") else rest  # "+44 (0)1622 ..."
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    # 01/02 geographic, 03 UK-wide, 05, 07 mobiles, 08 freephone, 09 premium; 9 or 10
    # digits after the 0 (a few small exchanges have 9).
    if len(national) in (9, 10) and national[0] in "1235789":
        return national
    return None


def published_number_keys(number: str) -> set[str]:
    """The forms a published number is recognised in: its digits, and its UK national
    number, so "03000 41 41 41" is also kept when written "+44 3000 414141"."""
    digits = re.sub(r"\D", "", number)
    keys = {digits}
    national = uk_national_number(digits, number.lstrip().startswith("+"))
    if national:
        keys.add("n" + national)
    return keys


# --- emails -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+'\-])[\w%+'\-]+(?:\.[\w%+'\-]+)*[ \t]?@[ \t]?"
    r"[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?![\w\-])"
)


# Written-out forms: "jane dot doe at gmail dot com", "jane(at)example(dot)com",
# "j.smith [at] council [dot] gov [dot] uk".
def _bracketed(word: str) -> str:
    return r"\s*[(\[{<]\s*" + word + r"\s*[)\]}>]\s*"


_AT_WORDS = r"(?P<at>" + _bracketed("at") + r"|\s+at\s+|\s*@\s*)"
_DOT = r"(?:" + _bracketed("dot") + r"|\s+dot\s+|\.)"
_PART = r"[\w%+'\-]+"
_SPELT_EMAIL = re.compile(
    r"(?<![\w.%+'\-])(?P<local>"
    + _PART
    + r"(?:(?:"
    + _DOT
    + r"|_|\s+underscore\s+)"
    + _PART
    + r"){0,4})"
    + _AT_WORDS
    + r"(?P<domain>[a-z0-9\-]+(?:"
    + _DOT
    + r"[a-z0-9\-]+){0,4})"
    r"(?![\w\-])",
    re.IGNORECASE,
)
_MAIL_PROVIDERS = frozenset(
    """gmail googlemail hotmail outlook live msn yahoo ymail icloud me mac aol btinternet
    btopenworld sky virginmedia talktalk tiscali ntlworld blueyonder protonmail proton
    gmx mail""".split()  # noqa: SIM905
)
# Words that stand before "at" in ordinary sentences ("I looked at gov.uk").
_NOT_A_MAILBOX = frozenset(
    """a an the i we you he she they it is was be been am are were me us him her them this
    that look looked looking found find search searched go went visit visited here there
    site website page online available help apply email emailed phone rang call called
    wrote write stuck arrived arrive arrives left office library home work school""".split()  # noqa: SIM905
)
_WRITTEN_DOT = re.compile(r"\bdot\b|[(\[{<]\s*dot\s*[)\]}>]", re.IGNORECASE)


# What a written-out address cannot be without: "@", a bracketed "at", a written "dot" or
# a mail provider's name (a plain "at" alone is in half of all comments).
_BRACKETED_AT = re.compile(_bracketed("at"), re.IGNORECASE)
_PROVIDER_HINT = re.compile(r"\b(?:" + "|".join(sorted(_MAIL_PROVIDERS)) + r")\b")


def _may_hold_spelt_email(scan: _Scan) -> bool:
    lower = scan.lower
    return bool(
        "@" in scan.view
        or "dot" in lower
        or _BRACKETED_AT.search(scan.view)
        or ("at " in lower and _PROVIDER_HINT.search(lower))
    )


def _emails(scan: _Scan) -> None:
    if "@" in scan.view:
        for match in list(_EMAIL.finditer(scan.view)):
            scan.take(match.start(), match.end(), EMAIL)
    if not _may_hold_spelt_email(scan):
        return
    for match in list(_SPELT_EMAIL.finditer(scan.view)):
        if _is_spelt_email(match):
            scan.take(match.start(), match.end(), EMAIL)


def _is_spelt_email(match: re.Match[str]) -> bool:
    domain = match.group("domain")
    labels = [label for label in re.split(_DOT, domain, flags=re.IGNORECASE) if label]
    if not labels or labels[0].lower() in ("www", "http", "https"):
        return False
    provider = labels[0].lower() in _MAIL_PROVIDERS
    if len(labels) < 2 and not provider:
        return False
    if len(labels) >= 2 and not re.fullmatch(r"[a-z]{2,}", labels[-1], re.IGNORECASE):
        return False
    if match.group("at").strip() == "at":  # the plain word: ordinary sentences use it too
        local = match.group("local")
        last_word = re.split(r"\s+", local.strip())[-1].lower()
        if last_word in _NOT_A_MAILBOX or local.lower() in _NOT_A_MAILBOX:
            return False
        if not (provider or _WRITTEN_DOT.search(domain)):
            return False
    return True


# --- internet addresses -------------------------------------------------------------------

_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:])"
)
_VERSION_BEFORE = re.compile(r"(?:version|ver\.?|v|build|release)\s*$")


# Every IPv6 address has "::" or a group between two colons.
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{1,4}:")


def _ip_addresses(scan: _Scan) -> None:
    if "::" in scan.view or _IPV6_HINT.search(scan.view):
        _ipv6_addresses(scan)
    view = scan.view
    for start, end in scan.runs:
        if end - start < 7 or "." not in view[start:end]:
            continue
        for match in list(_IPV4.finditer(scan.view, start, end)):
            if _is_ipv4(scan.view, match) and not _VERSION_BEFORE.search(
                scan.before(match.start(), 12)
            ):  # "version 10.0.19045.1" is software, not somebody's address
                scan.take(match.start(), match.end(), IP_ADDRESS)


def _is_ipv4(view: str, match: re.Match[str]) -> bool:
    before = view[match.start() - 1 : match.start()] if match.start() else ""
    after = view[match.end() : match.end() + 1]
    if before.isdigit() or before == "." or after.isdigit() or after == ".":
        return False
    return all(
        int(part) <= 255 and (part == "0" or not part.startswith("0"))
        for part in match.group().split(".")
    )


def _ipv6_addresses(scan: _Scan) -> None:
    for match in list(_IPV6.finditer(scan.view)):
        candidate = match.group(0)
        if sum(c.isalnum() for c in candidate) < 3:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        scan.take(match.start(), match.end(), IP_ADDRESS)


# --- identifiers with letters -------------------------------------------------------------

_SEP = r"[ \-.]?"
# DVLA licence numbers: five letters of the surname (padded with 9s), the birth date coded
# as decade, month (plus 5 for women), day and year, two initials (padded with 9s), a
# digit and two check letters; sometimes followed by a two-digit issue number.
_DRIVING_LICENCE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z9]{5}"
    + _SEP
    + r"\d[0156]\d(?:0[1-9]|[12]\d|3[01])\d"
    + _SEP
    + r"[A-Z9]{2}"
    + _SEP
    + r"\d[A-Z]{2}(?:[ \-]\d{2})?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_PASSPORT = re.compile(
    r"\bpassport\b(?:\s*(?:no\.?|number|num|nr|#|:|is|was|details|ref))*\s*"
    r"(?P<id>[A-Z]{0,2}(?:[ \-]?\d){6,9}[A-Z]?)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# National Insurance numbers: two letters, six digits, a suffix A-D (sometimes left out),
# with any spacing. The letters are not checked against HMRC's rules: a resident's typo is
# still personal.
_NI = re.compile(
    r"(?<![A-Za-z0-9])(?P<letters>[A-Z][ .\-]?[A-Z])(?P<gap>[ .\-]?)(?:\d[ .\-]?){5}\d"
    r"(?:[ .\-]?(?P<suffix>[A-D]))?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NI_CONTEXT = re.compile(r"\b(?:ni|n\.i\.?|nino|national\s+insurance|insurance)\b", re.IGNORECASE)
# Two-letter words a sentence may put before a six-digit number ("me 123456 a ...").
_WORD_PREFIXES = frozenset("an as at be by he me my on or we am pm".split())  # noqa: SIM905


_SIX_DIGITS = re.compile(r"\d{6}")


def _around_runs(
    scan: _Scan, pattern: re.Pattern[str], wanted: Callable[[str], object], reach: tuple[int, int]
) -> list[re.Match[str]]:
    """``pattern``'s matches near the digit runs that may belong to one (``wanted``): only
    those stretches of a long comment are read, not all of it. The stretch reaches past
    what a match could hold, so that the pattern's boundaries see the characters around."""
    view, found, last = scan.view, [], -1
    for start, end in scan.runs:
        if not wanted(view[start:end]):
            continue
        for match in pattern.finditer(view, max(0, start - reach[0]), end + reach[1]):
            if match.start() >= last:
                found.append(match)
                last = match.end()
    return found


def _driving_licences(scan: _Scan) -> None:
    for match in _around_runs(scan, _DRIVING_LICENCE, _SIX_DIGITS.search, (8, 13)):
        scan.take(match.start(), match.end(), DRIVING_LICENCE)


def _passports(scan: _Scan) -> None:
    if "passport" not in scan.view.lower():
        return
    for match in list(_PASSPORT.finditer(scan.view)):
        scan.take(match.start("id"), match.end("id"), PASSPORT_NUMBER)


def _six_digits(run: str) -> bool:
    return sum(map(str.isdigit, run)) >= 6


def _ni_numbers(scan: _Scan) -> None:
    for match in _around_runs(scan, _NI, _six_digits, (5, 5)):
        context = bool(_NI_CONTEXT.search(scan.before(match.start())))
        letters = re.sub(r"[ .\-]", "", match.group("letters")).lower()
        if not context:
            if match.group("suffix") is None:
                continue  # "AB123456" alone is as likely a product or order code
            if match.group("gap") and letters in _WORD_PREFIXES:
                continue
        scan.take(match.start(), match.end(), NI_NUMBER)


# --- postcodes ----------------------------------------------------------------------------

_POSTCODE = re.compile(
    r"(?<![\w\-])(?P<out>[A-Z]{1,2}\d[A-Z\d]?)(?P<space> {0,2})(?P<in>\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![\w\-])",
    re.IGNORECASE,
)
# In a page address, a whole path segment that is a postcode, however it is joined.
_POSTCODE_SEGMENT = re.compile(
    r"(?<![^/])(?P<out>[A-Z]{1,2}\d[A-Z\d]?)[ \-_+]?(?P<in>\d[ABD-HJLNP-UW-Z]{2})(?![^/])",
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


def _postcode_area_ok(outward: str) -> bool:
    area = re.match(r"[A-Z]+", outward.upper())
    return area is not None and area.group(0) in POSTCODE_AREAS


_INWARD_CODE = re.compile(r"\d[A-Za-z]{2}")


def _near_inward_codes(scan: _Scan, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """``pattern``'s matches that end with an inward code ("1XQ"), read only around those."""
    view, found, last = scan.view, [], -1
    for inward in _INWARD_CODE.finditer(view):
        for match in pattern.finditer(view, max(0, inward.start() - 8), inward.end() + 1):
            if match.end() == inward.end() and match.start() >= last:
                found.append(match)
                last = match.end()
    return found


def _postcodes(scan: _Scan, *, address: bool) -> None:
    if address:
        for match in _near_inward_codes(scan, _POSTCODE_SEGMENT):
            if _postcode_area_ok(match.group("out")):
                scan.take(match.start(), match.end(), POSTCODE)
    for match in _near_inward_codes(scan, _POSTCODE):
        if not _postcode_area_ok(match.group("out")):
            continue
        before = scan.before(match.start(), 80)
        if _PRODUCT_CONTEXT.search(before[-30:]):
            continue
        # "ME14 1XQ" is a postcode wherever it stands; "me141xq" only where the comment
        # talks about where someone lives, or product codes like "AB12CD" would go too.
        if match.group("space") or _ADDRESS_CONTEXT.search(before):
            scan.take(match.start(), match.end(), POSTCODE)


# --- dates --------------------------------------------------------------------------------

# All-digit dates, one pattern (one pass over the text): 12/03/1985, 12.03.85, 12 03 1985,
# 1985-03-12. Each way of writing has its own group names.
_NUMERIC_DATE = re.compile(
    r"\b(?:(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}(?![/.\-]\d))"
    r"|(?P<d2>\d{1,2}) (?P<m2>\d{1,2}) (?P<y2>(?:19|20)\d\d)"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2}))\b"
)
# Dates with the month in words: 3rd March 2010, 12-Mar-1985, March 5, 1962.
_WORDED_DATE = re.compile(
    r"\b(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?|[\-/])(?P<mname>"
    + MONTH_NAMES
    + r")\.?(?:,?\s+|[\-/])(?P<y>\d{4})"
    r"|(?P<mname2>" + MONTH_NAMES + r")\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4}))\b",
    re.IGNORECASE,
)
_MONTH_HINT = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")
_BIRTH_CONTEXT = re.compile(
    r"\b(?:born|birth|dob|d\.o\.b|birthday|aged?)\b|d\.o\.b\.?", re.IGNORECASE
)


_NOT_A_DATE = "not-a-date"


_NUMERIC_DATE_HINT = re.compile(r"\d[/.\- ]\d")
_YEAR = re.compile(r"\b\d{4}\b")
# The longest way to write a day and a month before a year: "22nd of September, ".
_WORDED_DATE_REACH = 32


def _dates(scan: _Scan, today: date) -> None:
    found = _around_runs(scan, _NUMERIC_DATE, _NUMERIC_DATE_HINT.search, (0, 1))
    if _MONTH_HINT.search(scan.lower):
        # A date in words ends with its year: read only the stretch before each year,
        # not the whole comment with a pattern of twenty month names at every letter.
        for year in _YEAR.finditer(scan.view):
            window = _WORDED_DATE.finditer(
                scan.view, max(0, year.start() - _WORDED_DATE_REACH), year.end()
            )
            found += (m for m in window if m.end() == year.end())
    taken = -1
    for match in sorted(found, key=lambda m: m.start()):
        if match.start() < taken:
            continue  # overlaps one already read
        kind = _date_kind(match, scan, today)
        if kind != _NOT_A_DATE:
            # A date of an event is kept, but taken out of the view all the same, so
            # its digits are never read as part of a phone or account number.
            scan.take(match.start(), match.end(), kind)
            taken = match.end()


def _date_kind(match: re.Match[str], scan: _Scan, today: date) -> str | None:
    """DATE_OF_BIRTH, None for a date that stays, or _NOT_A_DATE."""
    found = {k.rstrip("23"): v for k, v in match.groupdict().items() if v is not None}
    try:
        day = int(found["d"])
        month = MONTHS[found["mname"].lower()] if "mname" in found else int(found["m"])
        year = int(found["y"])
    except (KeyError, ValueError):
        return _NOT_A_DATE
    short_year = len(found["y"]) == 2
    if short_year:
        year += 2000 if year <= today.year % 100 else 1900
    try:
        when = date(year, month, day)
    except ValueError:
        return _NOT_A_DATE
    if when > today:
        return None
    # A date with "born", "DOB"... near it is a birth date; so is one from long ago.
    # A recent date without that context is when something happened: it stays. With a
    # two-digit year only the context counts: "version 1.2.30" is no date of 1930.
    if _BIRTH_CONTEXT.search(scan.before(match.start())):
        return DATE_OF_BIRTH
    if not short_year and when.year <= today.year - 16:
        return DATE_OF_BIRTH
    return None


# --- numbers ------------------------------------------------------------------------------

# Digits with separators between them, however many: "0 7 7 0 0 9 0 0 1 2 3",
# "+44 (0)1622 694000", "12-34-56 12345678".
_DIGIT_RUN = re.compile(r"\d(?:[ \t\-./()]{0,3}\d)*")
_GROUP = re.compile(r"\d+")
_AS_ZERO = str.maketrans("oO", "00")
_SORT_CONTEXT = re.compile(r"\b(?:sort\s*code|sortcode|sort|s/c|bank)\b")
_ACCOUNT_CONTEXT = re.compile(r"\b(?:account|acc|acct|a/c|bank)\b")
_NHS_CONTEXT = re.compile(r"\bnhs\b|\bchi\b|\bh&c\b")
_LICENCE_CONTEXT = re.compile(r"\blicen[cs]e\b")
_ACCOUNT_AFTER = re.compile(r"[,;:]?[ \t]{1,3}(?:\d{7,8}|\d{4} \d{4})(?![\d.\-/])")
_LONGEST_WINDOW = 19  # card numbers; nothing personal written in digits is longer


def _numbers(scan: _Scan, published: frozenset[str]) -> None:
    sort_code_end = -1
    view = scan.view
    runs = [
        run
        for start, end in scan.runs
        if end - start >= 6  # fewer than six digits: nothing this step looks for is that short
        for run in _DIGIT_RUN.finditer(view, start, end)
    ]
    for run in runs:
        if len(run[0]) < 6:
            continue
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run[0])]
        # What stands just before the first digit: "(" and "+" belong to the number, and a
        # letter O typed for the first zero ("O7700 900123") counts as a zero.
        start = run.start()
        while start > 0 and view[start - 1] in "(+" and run.start() - start < 2:
            start -= 1
        international = "+" in view[start : run.start()]
        letter_o = start == run.start() and start > 0 and view[start - 1] in "oO"
        if letter_o and (start == 1 or not view[start - 2].isalpha()):
            start -= 1
            groups.insert(0, (start, start + 1))
        # "40 12 34, 1234 5678": an account number right after a sort code, in this run
        # or the next one.
        previous = SORT_CODE if 0 <= start - sort_code_end <= 3 else None
        i = 0
        while i < len(groups):
            found = None
            length = 0
            ends = []
            for j in range(i, len(groups)):
                length += groups[j][1] - groups[j][0]
                if length > _LONGEST_WINDOW:
                    break
                ends.append(j)
            for j in reversed(ends):  # the longest window that is something wins
                kind = _number_kind(scan, international, groups, i, j, published, previous)
                if kind is not None:
                    found = (j, kind)
                    break
            if found is None:
                previous = None
                i += 1
                continue
            j, kind = found
            begin = start if i == 0 else groups[i][0]  # with its "+" or "("
            end = groups[j][1]
            if kind == "keep":
                scan.take(begin, end, None)
            else:
                if scan.view[end : end + 1] == ")" and "(" in scan.view[begin:end]:
                    end += 1
                scan.take(begin, end, kind)
                if kind == SORT_CODE:
                    sort_code_end = end
            previous = kind
            i = j + 1


def _number_kind(
    scan: _Scan,
    international_run: bool,
    groups: list[tuple[int, int]],
    i: int,
    j: int,
    published: frozenset[str],
    previous: str | None,
) -> str | None:
    view = scan.view

    # A number does not start or end inside digits joined by a dot or a dash alone:
    # "10.0.19045.3693" holds no phone number; "12-34-56 12345678" holds a sort code and
    # an account number, "07700 900123/07700 900456" two phone numbers.
    def joined(start: int, end: int) -> bool:
        return view[start:end] in ("", ".", "-")

    if i > 0 and joined(groups[i - 1][1], groups[i][0]):
        return None
    if j + 1 < len(groups) and joined(groups[j][1], groups[j + 1][0]):
        return None
    digits = "".join(view[a:b] for a, b in groups[i : j + 1]).translate(_AS_ZERO)
    shape = tuple(b - a for a, b in groups[i : j + 1])
    international = i == 0 and international_run
    national = uk_national_number(digits, international)
    if digits in published or (national and "n" + national in published):
        return "keep"
    if national or (international and 8 <= len(digits) <= 15):
        return PHONE
    size = len(digits)
    if 13 <= size <= 19 and digits[0] in "23456" and luhn_valid(digits):
        return CARD_NUMBER
    before = scan.before(groups[i][0])
    if size == 10 and (
        (digits[0] != "0" and nhs_number_valid(digits)) or _NHS_CONTEXT.search(before)
    ):
        return NHS_NUMBER
    if (
        size == 6
        and shape in ((2, 2, 2), (6,))
        and (_SORT_CONTEXT.search(before) or _ACCOUNT_AFTER.match(view, groups[j][1]))
    ):
        return SORT_CODE
    if size in (7, 8) and shape in ((8,), (7,), (4, 4)):
        if previous == SORT_CODE or _ACCOUNT_CONTEXT.search(before):
            return ACCOUNT_NUMBER
        if size == 8 and _LICENCE_CONTEXT.search(before):
            return DRIVING_LICENCE  # Northern Ireland's licences are eight digits
    return None


# --- the redactor -------------------------------------------------------------------------

_HAS_DIGIT = re.compile(r"\d")


class Redactor:
    """Replaces personal data with placeholders; one instance serves every request."""

    def __init__(
        self,
        references: Sequence[RedactPattern] = (),
        *,
        published_numbers: Iterable[str] = (),
        today: date | None = None,
    ) -> None:
        self._references = [re.compile(p.pattern, re.IGNORECASE) for p in references]
        self._published = frozenset(k for n in published_numbers for k in published_number_keys(n))
        self._today = today

    @classmethod
    def for_council(cls, feedback: FeedbackConfig, *, today: date | None = None) -> Redactor:
        """The redactor for the council's reference formats and published numbers."""
        return cls(
            feedback.redact_patterns, published_numbers=feedback.published_numbers, today=today
        )

    def redact(self, text: str) -> Redacted:
        return self._redact(text, address=False)

    def redact_page(self, page: str) -> Redacted:
        """A page address (its path) redacted like a comment, percent-escapes read first.

        Unchanged addresses are returned exactly as sent; a redacted one is escaped again,
        with its placeholders readable (``/account/[email]``)."""
        decoded = unquote(page, errors="replace")
        result = self._redact(decoded, address=True)
        if not result.kinds:
            return Redacted(page, result.kinds)
        return Redacted(quote(result.text, safe="/[]:@!$&'()*+,;=-._~"), result.kinds)

    def redact_submission(
        self, page: str, texts: Iterable[str | None]
    ) -> tuple[str, list[str | None], list[str]]:
        """One resident's post: its page address and free-text fields redacted; the sorted
        kinds found in any of them."""
        address = self.redact_page(page)
        out, kinds = self.redact_fields(texts)
        # A placeholder can be longer than what it replaces ("[nhs-number]"): the address
        # is cut to the length its column holds, rather than refused after it was accepted.
        page_text = address.text[:MAX_PAGE]
        return page_text, out, sorted(set(kinds) | address.kinds, key=KINDS.index)

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

    # The order matters: what an earlier step finds is out of the view of the later ones.
    # References and emails hold digit runs that would otherwise be read as numbers; dates
    # come before numbers so "12/03/1985" is a date and never part of a phone number.
    def _redact(self, text: str, *, address: bool) -> Redacted:
        scan = _Scan(text)
        self._references_out(scan)
        _emails(scan)
        if _HAS_DIGIT.search(scan.view):  # everything else is written with digits
            _ip_addresses(scan)
            _driving_licences(scan)
            _passports(scan)
            _ni_numbers(scan)
            _postcodes(scan, address=address)
            _dates(scan, self._today or date.today())
            _numbers(scan, self._published)
        return scan.result()

    def _references_out(self, scan: _Scan) -> None:
        for pattern in self._references:
            for match in list(pattern.finditer(scan.view)):
                scan.take(match.start(), match.end(), REFERENCE)
