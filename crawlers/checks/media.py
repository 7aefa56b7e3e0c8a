"""The media check: video without captions (1.2.2), audio or video that plays by itself (1.4.2,
2.2.2), media with no transcript nearby and embedded players (1.2.1, 1.2.3, 1.2.5: a person
looks).

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import MEDIA, ScanCheck


class MediaCheck(ScanCheck):
    name = MEDIA
    version = "1"


CHECK = MediaCheck()
