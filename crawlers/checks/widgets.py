"""The widgets check: controls built from plain elements with no role, disclosures and pop-up
buttons with no aria-expanded, tabs with no aria-selected (4.1.2), and links shown only on
mouse hover (2.1.1).

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import WIDGETS, ScanCheck


class WidgetsCheck(ScanCheck):
    name = WIDGETS
    version = "1"


CHECK = WidgetsCheck()
