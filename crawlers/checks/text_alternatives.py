"""The text-alternatives check (1.1.1): alt text that is a file name or a word like "image",
alt text that repeats the text beside it, and image links and image buttons whose name does
not say where they go or what they do.

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import TEXT_ALTERNATIVES, ScanCheck


class TextAlternativesCheck(ScanCheck):
    name = TEXT_ALTERNATIVES
    version = "1"


CHECK = TextAlternativesCheck()
