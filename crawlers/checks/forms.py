"""The forms check: radio and checkbox groups with no question (1.3.1), required fields marked
by an unexplained asterisk (3.3.2), personal-data fields without their autocomplete token
(1.3.5), fields with no visible label (3.3.2), fields labelled alike (2.4.6) and visible
text missing from a control's name (2.5.3).

Its rules are read from the shared read-only scan (``crawlers.checks._scan``), where each
rule's criteria, impact and confidence are listed.
"""

from __future__ import annotations

from crawlers.checks._scan import FORMS, ScanCheck


class FormsCheck(ScanCheck):
    name = FORMS
    version = "2"  # 2: an email field may ask for ``username`` (a sign-in form)


CHECK = FormsCheck()
