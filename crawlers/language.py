"""Which language a text is written in, offline: lingua-language-detector, whose models ship
in its wheel (nothing is downloaded at run time).

The detector knows the languages a UK council's pages are likely to be in: English and
Welsh, and the languages councils translate their pages into most often. A text in a
language outside this list is never claimed to be in one of them with confidence, so it is
left alone. Two passes keep it both quick and sure: a fast screen of every passage (low
accuracy mode, about a tenth of a millisecond each) and, for the few that look out of place,
a second opinion of the full models of just the two languages in question.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = (
    Language.ENGLISH,
    Language.WELSH,
    Language.IRISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.SPANISH,
    Language.PORTUGUESE,
    Language.ITALIAN,
    Language.DUTCH,
    Language.POLISH,
    Language.ROMANIAN,
    Language.LITHUANIAN,
    Language.LATVIAN,
    Language.BULGARIAN,
    Language.SLOVAK,
    Language.CZECH,
    Language.HUNGARIAN,
    Language.GREEK,
    Language.ALBANIAN,
    Language.RUSSIAN,
    Language.UKRAINIAN,
    Language.TURKISH,
    Language.ARABIC,
    Language.PERSIAN,
    Language.URDU,
    Language.PUNJABI,
    Language.BENGALI,
    Language.GUJARATI,
    Language.HINDI,
    Language.TAMIL,
    Language.SOMALI,
    Language.CHINESE,
    Language.TAGALOG,
    Language.LATIN,
)
_BY_CODE = {language.iso_code_639_1.name.lower(): language for language in LANGUAGES}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def known(code: str) -> bool:
    """Whether ``code`` (a ``lang`` value such as ``en-GB``) is a language the detector knows."""
    return primary(code) in _BY_CODE


def primary(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def name_of(code: str) -> str:
    language = _BY_CODE.get(primary(code))
    return language.name.replace("_", " ").title() if language else code


#: Addresses, email addresses and very long words (a Welsh place name in a URL) say nothing
#: of the language a passage is written in.
_NOT_WORDS = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+|\S*[^\W\d_]{25,}\S*", re.IGNORECASE)


@lru_cache(maxsize=4096)
def prose(text: str) -> str:
    """``text`` without the tokens that are not words of a language."""
    return " ".join(_NOT_WORDS.sub(" ", text).split())


def words(text: str) -> int:
    return len(_WORD.findall(prose(text)))


@cache
def _screen() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


@cache
def _judge(first: Language, second: Language) -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(first, second).build()


#: Placeholder text ("lorem ipsum") is in no language a resident reads: never claimed.
PLACEHOLDER = re.compile(r"lorem ipsum|dolor sit amet|consectetur adipisc", re.IGNORECASE)


@lru_cache(maxsize=4096)
def identify(text: str, *, min_confidence: float = 0.9) -> tuple[str, float] | None:
    """The language ``text`` is in and the screen's confidence, or None when unsure.

    Latin is known to the detector only so that pseudo-Latin placeholder text lands on it
    rather than on Italian or Spanish; it is never claimed either (a Latin motto is a
    proper name more than a passage). Remembered: the same passages (a site's header and
    footer) come back on every page, and the answer depends on the text alone."""
    if PLACEHOLDER.search(text):
        return None
    values = _screen().compute_language_confidence_values(prose(text))
    if not values or values[0].value < min_confidence or values[0].language == Language.LATIN:
        return None
    return values[0].language.iso_code_639_1.name.lower(), values[0].value


def confirm(text: str, claimed: str, against: str) -> float:
    """How sure the full models are that ``text`` is in ``claimed`` rather than ``against``."""
    first, second = _BY_CODE[primary(claimed)], _BY_CODE[primary(against)]
    if first is second:
        return 0.0
    detector = _judge(*sorted((first, second), key=lambda language: language.name))
    return float(detector.compute_language_confidence(prose(text), first))


def page_language(text: str, *, min_words: int = 60, chunk_words: int = 30) -> str | None:
    """The language the whole of ``text`` is written in, or None when it is short, mixed
    (a bilingual page) or not clear: most chunks of it must agree, each with confidence."""
    tokens = text.split()
    if words(text) < min_words:
        return None
    chunks = [" ".join(tokens[i : i + chunk_words]) for i in range(0, len(tokens), chunk_words)]
    chunks = [c for c in chunks if words(c) >= chunk_words // 2][:40]
    votes: dict[str, int] = {}
    for chunk in chunks:
        found = identify(chunk)
        if found:
            votes[found[0]] = votes.get(found[0], 0) + 1
    if not votes:
        return None
    best, count = max(votes.items(), key=lambda item: item[1])
    return best if count >= 0.8 * len(chunks) else None
