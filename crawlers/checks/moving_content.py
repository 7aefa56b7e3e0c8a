"""The moving-content check: timed redirects in the page's scripts (2.2.1), and animations and
carousels that move for more than five seconds with no pause (2.2.2). A meta refresh,
marquee and blink are axe's (meta-refresh, marquee, blink).

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import MOVING_CONTENT, ScanCheck


class MovingContentCheck(ScanCheck):
    name = MOVING_CONTENT
    version = "1"


CHECK = MovingContentCheck()
