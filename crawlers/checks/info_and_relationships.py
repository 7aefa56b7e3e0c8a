"""The info-and-relationships check (1.3.1, 2.4.1, 2.4.6): tables of data without header cells
or with headers not tied to their cells, layout tables that use th, caption or summary, text
styled as a heading but not marked up, lists faked with bullets or line breaks, no main
landmark while navigation comes first, and identical headings side by side.

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import RELATIONSHIPS, ScanCheck


class InfoAndRelationshipsCheck(ScanCheck):
    name = RELATIONSHIPS
    version = "1"


CHECK = InfoAndRelationshipsCheck()
