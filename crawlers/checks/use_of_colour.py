"""The use-of-colour check (1.4.1): links in text told apart by colour alone, and error or
required states shown only in red.

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import USE_OF_COLOUR, ScanCheck


class UseOfColourCheck(ScanCheck):
    name = USE_OF_COLOUR
    version = "1"


CHECK = UseOfColourCheck()
