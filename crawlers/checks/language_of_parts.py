"""The language-of-parts check (3.1.2): passages written in another language than the one
their ``lang`` says (the page's, or their own), so screen readers read them with the wrong
voice and pronunciation.

Passages come from the shared read-only scan (``crawlers.checks._scan``); languages are
identified by ``crawlers.language`` (lingua, offline). Only passages of at least six words
are judged, each in two passes (a fast screen, then the full models of the two languages in
question); a long passage that both passes are sure of is a violation, a shorter or less
certain one a question for a person. Names, addresses and single words in another language
are left alone: 3.1.2 exempts proper names and words that have become part of the language.
"""

from __future__ import annotations

from crawlers.base import FindingData, LoadedPage
from crawlers.check import PageCheck
from crawlers.checks._scan import page_scan
from crawlers.context import PageContext
from crawlers.language import confirm, identify, known, name_of, primary, words

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/language-of-parts"
MIN_WORDS = 6
SURE_WORDS = 10  # a passage this long that both passes are sure of is a violation
SURE = 0.95
REPORTED = 20  # passages reported per page at most


class LanguageOfPartsCheck(PageCheck):
    """Finds passages in another language than their ``lang`` says."""

    name = "language-of-parts"
    version = "1"
    criteria = ("3.1.2",)
    order = 45

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        scan = await page_scan(page)
        page_lang = primary(scan.get("lang") or "")
        found: list[FindingData] = []
        for block in scan.get("blocks", []):
            lang = primary(block.get("lang") or "") or page_lang
            text = block["text"]
            count = words(text)
            if not lang or not known(lang) or count < MIN_WORDS:
                continue
            screened = identify(text)
            if screened is None or screened[0] == lang:
                continue
            detected, screen_confidence = screened
            sure = confirm(text, detected, lang)
            if sure < 0.9:
                continue
            violation = count >= SURE_WORDS and sure >= SURE and screen_confidence >= SURE
            says = "its lang attribute says" if block.get("own") else "the page says"
            message = (
                f"This passage is in {name_of(detected)} but {says} it is in "
                f"{name_of(lang)}, so screen readers read it with the wrong voice"
            )
            if not violation:
                message += f'. Is it in {name_of(detected)}? If so, mark it with lang="{detected}"'
            found.append(
                FindingData(
                    check=self.name,
                    rule="passage-language",
                    message=message,
                    wcag=self.criteria,
                    impact="serious" if violation else "moderate",
                    selector=block.get("selector", ""),
                    snippet=block.get("snippet", ""),
                    help_url=HELP,
                    outcome="violation" if violation else "needs_review",
                    key=detected,
                )
            )
            if len(found) >= REPORTED:
                break
        return found


CHECK = LanguageOfPartsCheck()
