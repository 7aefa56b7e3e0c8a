"""The shared read-only scan of a page, and the rules the checks beyond axe read from it.

Rules that only *read* the page (text alternatives, media, tables, forms, colour, motion,
widgets, passages of text) share one in-page script, ``js/scan.js``: one call into the
page, one walk of the DOM, computed styles read once. The first check of a visit to ask for
it pays for it; the others read the same result (``page_scan``), so several check modules
cost one call. The scan never changes the page or its layout.

Each rule has WCAG 2.2 success criteria, an impact and a *confidence*: only a rule whose
result is a barrier whenever it fires (``high``) reports violations; the others report
``needs_review`` with a question a person can answer by looking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawlers.base import FindingData, LoadedPage
from crawlers.check import PageCheck
from crawlers.checks._inpage import run_script
from crawlers.context import PageContext

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/"

#: Alt text that names no picture (compared lower-case, punctuation removed).
GENERIC_ALT = sorted(
    {
        "image",
        "img",
        "an image",
        "photo",
        "a photo",
        "photograph",
        "picture",
        "a picture",
        "pic",
        "graphic",
        "a graphic",
        "icon",
        "logo",
        "spacer",
        "banner",
        "placeholder",
        "thumbnail",
        "figure",
        "untitled",
        "alt",
        "alt text",
        "image description",
        "insert alt text",
        "blank",
        "delwedd",
        "llun",
    }
)
#: Names of an image link that say nothing of where it goes.
GENERIC_IMAGE_LINK = sorted(
    {
        "link",
        "click here",
        "click",
        "here",
        "more",
        "read more",
        "arrow",
        "button",
        "go",
        "next",
        "previous",
        "open",
    }
)

#: 1.3.5 purposes: (autocomplete token, label pattern, strong, tokens accepted for it).
#: ``strong``: the label leaves no doubt the field asks for this (a violation when the
#: token is missing); otherwise a person is asked.
PURPOSES: list[tuple[str, str, bool, list[str]]] = [
    # A sign-in form's email address is its username: WHATWG and browsers' password
    # managers ask for ``username`` there, and WCAG 1.3.5 lists both purposes.
    ("email", r"\be-?mail\b|\be-?bost\b", True, ["email", "username"]),
    (
        "tel",
        r"\b(tele)?phone\b|\bmobile( number)?\b|\btel\b|\bffôn\b",
        True,
        ["tel", "tel-national", "tel-local", "tel-country-code", "tel-area-code"],
    ),
    ("given-name", r"\b(first|given|fore)\s*names?\b|\bforename", True, ["given-name", "name"]),
    ("family-name", r"\b(last|family)\s*names?\b|\bsurname\b", True, ["family-name", "name"]),
    (
        "name",
        r"^\s*(your\s+)?(full\s+)?name\s*[*:]?\s*(\(.*\))?\s*$|^\s*enw( llawn)?\b",
        True,
        ["name", "given-name", "family-name", "nickname", "username"],
    ),
    (
        "postal-code",
        r"\bpost\s*code\b|\bpostal code\b|\bzip( code)?\b|\bcod post\b",
        True,
        ["postal-code"],
    ),
    (
        "address-line1",
        r"\baddress line 1\b|\bbuilding and street\b|\bstreet address\b|^\s*address\s*$",
        False,
        ["address-line1", "street-address"],
    ),
    ("address-line2", r"\baddress line 2\b", False, ["address-line2", "street-address"]),
    ("address-level2", r"^\s*(town|city|town or city)\b", False, ["address-level2"]),
    (
        "bday",
        r"\bdate of birth\b|\bbirth ?date\b|\bdyddiad geni\b|\bDoB\b",
        True,
        ["bday", "bday-day", "bday-month", "bday-year"],
    ),
    ("bday-day", r"^\s*day\s*$|^\s*diwrnod\s*$", True, ["bday-day"]),
    ("bday-month", r"^\s*month\s*$|^\s*mis\s*$", True, ["bday-month"]),
    ("bday-year", r"^\s*year\s*$|^\s*blwyddyn\s*$", True, ["bday-year"]),
]
#: Labels about somebody else: 1.3.5 is about the person filling in the form.
SOMEONE_ELSE = (
    r"partner|child|children|friend|emergency|next of kin|their |employer|school|landlord|agent|"
    r"company|business|organisation|organization|referee|doctor|\bgp\b|guardian|parent|"
    r"carer|someone|person you|other person|witness|recipient|applicant's|dependant"
)


@dataclass(frozen=True)
class Rule:
    """One rule read from the scan: who reports it, against what, and how sure it is."""

    check: str
    criteria: tuple[str, ...]
    impact: str
    confidence: str  # high → violation; medium or low → needs_review
    help_page: str
    message: Callable[[dict[str, Any]], str]

    @property
    def outcome(self) -> str:
        return "violation" if self.confidence == "high" else "needs_review"


def _q(text: str) -> str:
    return " ".join(str(text).split())[:80]


TEXT_ALTERNATIVES = "text-alternatives"
MEDIA = "media"
RELATIONSHIPS = "info-and-relationships"
FORMS = "forms"
USE_OF_COLOUR = "use-of-colour"
MOVING_CONTENT = "moving-content"
WIDGETS = "widgets"

RULES: dict[str, Rule] = {
    # --- 1.1.1 ---------------------------------------------------------------------------
    "alt-file-name": Rule(
        TEXT_ALTERNATIVES,
        ("1.1.1",),
        "serious",
        "high",
        "non-text-content",
        lambda d: (
            f"The image's alt text is a file name ('{_q(d['alt'])}'): it says nothing "
            "about what the image shows"
        ),
    ),
    "alt-generic": Rule(
        TEXT_ALTERNATIVES,
        ("1.1.1",),
        "serious",
        "high",
        "non-text-content",
        lambda d: (
            f"The image's alt text is only '{_q(d['alt'])}': it says that there is an "
            "image, not what it shows"
        ),
    ),
    "alt-repeats-text": Rule(
        TEXT_ALTERNATIVES,
        ("1.1.1",),
        "minor",
        "medium",
        "non-text-content",
        lambda d: (
            f"The image's alt text '{_q(d['alt'])}' repeats the text beside it, so "
            "screen reader users hear it twice. Does the image add anything the text does not "
            'say? If not, give it an empty alt (alt="")'
        ),
    ),
    "image-link-unclear": Rule(
        TEXT_ALTERNATIVES,
        ("1.1.1", "2.4.4"),
        "serious",
        "high",
        "link-purpose-in-context",
        lambda d: (
            f"This link is an image whose alt text is '{_q(d['alt'])}': it does not say "
            "where the link goes"
        ),
    ),
    "image-button-unclear": Rule(
        TEXT_ALTERNATIVES,
        ("1.1.1", "4.1.2"),
        "serious",
        "high",
        "non-text-content",
        lambda d: (
            f"This button is an image whose alt text is '{_q(d['alt'])}': it does not "
            "say what the button does"
        ),
    ),
    # --- 1.2.x, 1.4.2, 2.2.2 media ----------------------------------------------------------
    "video-no-captions": Rule(
        MEDIA,
        ("1.2.2",),
        "critical",
        "high",
        "captions-prerecorded",
        lambda d: (
            'The video has no captions track (<track kind="captions">), so deaf and '
            "hard of hearing residents cannot follow what is said"
        ),
    ),
    "media-autoplay-sound": Rule(
        MEDIA,
        ("1.4.2",),
        "serious",
        "high",
        "audio-control",
        lambda d: (
            f"The {d.get('tag', 'media')} plays sound by itself when the page opens, "
            "over what a screen reader is saying"
        ),
    ),
    "media-autoplay-motion": Rule(
        MEDIA,
        ("2.2.2",),
        "serious",
        "high",
        "pause-stop-hide",
        lambda d: (
            "The video plays by itself for more than five seconds and there is no "
            "control to pause or stop it"
        ),
    ),
    "media-no-transcript": Rule(
        MEDIA,
        ("1.2.1", "1.2.3", "1.2.5"),
        "moderate",
        "medium",
        "audio-only-and-video-only-prerecorded",
        lambda d: (
            f"No transcript is linked near this {d.get('tag', 'media')}. Does the page "
            "give a transcript (or a text version) of what it says and shows?"
        ),
    ),
    "embedded-media-review": Rule(
        MEDIA,
        ("1.2.2", "1.2.3", "1.2.5"),
        "moderate",
        "low",
        "captions-prerecorded",
        lambda d: (
            "An embedded video player: does the video have captions and, where it "
            "shows things it does not say, audio description"
            + ("? No transcript is linked near it either" if not d.get("transcript") else "?")
        ),
    ),
    # --- 1.3.1 tables, headings, lists; 2.4.1 landmarks; 2.4.6 headings ----------------------
    "table-no-headers": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "serious",
        "high",
        "info-and-relationships",
        lambda d: (
            f"This table of data ({d['rows']} rows, {d['cols']} columns) has no header "
            "cells (th)"
            + (": its first row only looks like headers" if d.get("visual") else "")
            + ", so screen reader users hear the data without what each column means"
        ),
    ),
    "table-no-headers-review": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "moderate",
        "low",
        "info-and-relationships",
        lambda d: (
            f"This table ({d['rows']} rows, {d['cols']} columns) has no header cells. "
            "Is it a table of data? If so, mark its headers with th; if it only lays the page out, "
            'give it role="presentation"'
        ),
    ),
    "table-headers-not-associated": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "serious",
        "medium",
        "info-and-relationships",
        lambda d: (
            "This table has headers over more than one row or spanning columns, but "
            "neither scope nor headers/id tie data cells to them. Does a screen reader announce "
            "the right headers for each cell?"
        ),
    ),
    "layout-table-semantics": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "moderate",
        "high",
        "info-and-relationships",
        lambda d: (
            'A table marked as layout (role="presentation") has '
            + " and ".join(d["what"])
            + ", which only a table of data should have"
        ),
    ),
    "heading-not-marked-up": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "serious",
        "high",
        "info-and-relationships",
        lambda d: (
            f"'{_q(d['text'])}' looks like a heading (large, bold text above a "
            "section) but is not marked up as one, so screen reader users cannot find it"
        ),
    ),
    "heading-not-marked-up-review": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "moderate",
        "low",
        "info-and-relationships",
        lambda d: (
            f"'{_q(d['text'])}' is styled like a heading above a section but is not "
            "marked up as one. Is it a heading? If so, use h2-h6"
        ),
    ),
    "list-not-marked-up": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "moderate",
        "high",
        "info-and-relationships",
        lambda d: (
            f"A list of {d['lines']} items is made of bullet characters and "
            f"{d['how']} instead of ul/ol and li, so screen readers do not announce it as a list"
        ),
    ),
    "list-not-marked-up-review": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "minor",
        "low",
        "info-and-relationships",
        lambda d: (
            f"{d['lines']} {d['how']} in a row start with a dash, asterisk or number. "
            "Is this a list? If so, mark it up with ul/ol and li"
        ),
    ),
    "landmarks-missing": Rule(
        RELATIONSHIPS,
        ("1.3.1", "2.4.1"),
        "serious",
        "high",
        "bypass-blocks",
        lambda d: (
            f"{d['linksBefore']} links come before the content, and the page has "
            "neither a main landmark nor a skip link, so keyboard and screen reader users cannot "
            "go straight to the content"
        ),
    ),
    "landmarks-missing-review": Rule(
        RELATIONSHIPS,
        ("1.3.1",),
        "minor",
        "low",
        "info-and-relationships",
        lambda d: (
            f"{d['linksBefore']} links come before the content and the page has no "
            "main landmark (a skip link is there). Could the content be in <main>, so screen "
            "reader users can jump to it?"
        ),
    ),
    "heading-duplicate": Rule(
        RELATIONSHIPS,
        ("2.4.6",),
        "moderate",
        "high",
        "headings-and-labels",
        lambda d: (
            f"Two headings side by side both say '{_q(d['text'])}', so neither tells "
            "its section apart"
        ),
    ),
    # --- forms: 1.3.1, 1.3.5, 2.4.6, 2.5.3, 3.3.2 --------------------------------------------
    "group-no-name": Rule(
        FORMS,
        ("1.3.1", "3.3.2"),
        "serious",
        "high",
        "info-and-relationships",
        lambda d: (
            f"{d['count']} {d['type']} buttons ('{_q(d['name'])}') are not grouped in a "
            "fieldset with a legend (or a named group), so screen reader users do not hear the "
            "question they answer"
        ),
    ),
    "required-asterisk-unexplained": Rule(
        FORMS,
        ("3.3.2", "1.3.1"),
        "moderate",
        "high",
        "labels-or-instructions",
        lambda d: (
            f"The field '{_q(d['label'])}' is marked required with an asterisk only, "
            "and nothing on the page says what the asterisk means"
        ),
    ),
    # Medium, not high: the page cannot say whether the field asks about the person filling
    # it in (1.3.5) or about somebody else, as a council officer's form would.
    "autocomplete-missing": Rule(
        FORMS,
        ("1.3.5",),
        "serious",
        "medium",
        "identify-input-purpose",
        lambda d: (
            f"The field '{_q(d['label'])}' asks for a {d['expected']} but has no "
            f'autocomplete="{d["expected"]}". Is it the resident\'s own? If so, add the token, '
            "so browsers and assistive tools can fill it in and show its purpose"
        ),
    ),
    "autocomplete-missing-review": Rule(
        FORMS,
        ("1.3.5",),
        "moderate",
        "low",
        "identify-input-purpose",
        lambda d: (
            f"The field '{_q(d['label'])}' may ask for the resident's own "
            f'{d["expected"]}. Does it? If so, give it autocomplete="{d["expected"]}"'
        ),
    ),
    "autocomplete-wrong": Rule(
        FORMS,
        ("1.3.5",),
        "serious",
        "high",
        "identify-input-purpose",
        lambda d: (
            f"The field '{_q(d['label'])}' asks for the {d['expected']} but its "
            f"autocomplete says '{_q(d['given'])}', so browsers fill it with the wrong thing"
        ),
    ),
    "field-no-visible-label": Rule(
        FORMS,
        ("3.3.2",),
        "serious",
        "high",
        "labels-or-instructions",
        lambda d: (
            f"The field named '{_q(d['name'])}' has no visible label or text beside "
            "it: its name is only read out by screen readers, so sighted residents do not know "
            "what to enter"
        ),
    ),
    "label-duplicate": Rule(
        FORMS,
        ("2.4.6",),
        "moderate",
        "high",
        "headings-and-labels",
        lambda d: (
            f"Two fields of the same form are both labelled '{_q(d['label'])}', with "
            "nothing to tell them apart"
        ),
    ),
    "label-not-in-name": Rule(
        FORMS,
        ("2.5.3",),
        "serious",
        "high",
        "label-in-name",
        lambda d: (
            f"The control shows '{_q(d['visible'])}' but its accessible name is "
            f"'{_q(d['name'])}': speech-control users who say what they see cannot use it"
        ),
    ),
    # --- 1.4.1 use of colour -----------------------------------------------------------------
    "link-colour-only": Rule(
        USE_OF_COLOUR,
        ("1.4.1",),
        "serious",
        "high",
        "use-of-color",
        lambda d: (
            "This link in a block of text is told apart only by its colour (no "
            f"underline or other mark), and its colour contrasts {d['ratio']}:1 with the text "
            "around it (3:1 needed), so many residents cannot see it is a link"
        ),
    ),
    "error-colour-only": Rule(
        USE_OF_COLOUR,
        ("1.4.1", "3.3.1"),
        "serious",
        "high",
        "use-of-color",
        lambda d: (
            f"The field '{_q(d['label'])}' is marked as wrong only by a red border: no "
            "text says there is an error or what it is"
        ),
    ),
    "error-colour-only-review": Rule(
        USE_OF_COLOUR,
        ("1.4.1",),
        "moderate",
        "low",
        "use-of-color",
        lambda d: (
            f"The field '{_q(d['label'])}' has a red border unlike the other fields and "
            "no text beside it. Does the colour mean an error or that it is required? If so, say "
            "it in text"
        ),
    ),
    "required-colour-only": Rule(
        USE_OF_COLOUR,
        ("1.4.1",),
        "serious",
        "medium",
        "use-of-color",
        lambda d: (
            f"The label '{_q(d['label'])}' of a required field is in red unlike the "
            "others, with no text or mark saying it is required. Is colour the only sign?"
        ),
    ),
    # --- 2.2.1, 2.2.2 moving and timed content -----------------------------------------------
    "timed-redirect": Rule(
        MOVING_CONTENT,
        ("2.2.1",),
        "serious",
        "medium",
        "timing-adjustable",
        lambda d: (
            "A script on the page sends residents elsewhere or reloads the page after "
            f"{d['delay_ms'] / 1000:g} seconds ({d['how']}). Can they turn it off, adjust or "
            "extend it?"
        ),
    ),
    "motion-no-pause": Rule(
        MOVING_CONTENT,
        ("2.2.2",),
        "serious",
        "high",
        "pause-stop-hide",
        lambda d: (
            "This content moves for more than five seconds ("
            + ("for ever" if d["ms"] >= 1e9 else f"{d['ms'] / 1000:g} s")
            + ") and the page has no control to pause or stop it"
        ),
    ),
    "carousel-no-pause": Rule(
        MOVING_CONTENT,
        ("2.2.2",),
        "serious",
        "high",
        "pause-stop-hide",
        lambda d: "This carousel is set to move by itself and has no pause or stop button",
    ),
    # --- 4.1.2 custom widgets, 2.1.1 hover ---------------------------------------------------
    "custom-control-no-role": Rule(
        WIDGETS,
        ("4.1.2",),
        "serious",
        "high",
        "name-role-value",
        lambda d: (
            f"'{_q(d['name'])}' is a control made of a plain element (it takes clicks"
            + (" and focus" if d.get("focusable") else "")
            + ") with no role, so screen readers do not say it is a button or link"
        ),
    ),
    "disclosure-state-missing": Rule(
        WIDGETS,
        ("4.1.2",),
        "serious",
        "high",
        "name-role-value",
        lambda d: (
            f"'{_q(d['name'])}' opens "
            + ("a pop-up" if d.get("popup") else "content that is hidden now")
            + " but has no aria-expanded, so screen readers do not say whether it is open"
        ),
    ),
    "disclosure-state-review": Rule(
        WIDGETS,
        ("4.1.2",),
        "moderate",
        "low",
        "name-role-value",
        lambda d: (
            f"'{_q(d['name'])}' looks like it shows and hides the content after it, "
            "which is hidden now. Does it? If so, give it aria-expanded (and aria-controls)"
        ),
    ),
    "tab-state-missing": Rule(
        WIDGETS,
        ("4.1.2",),
        "serious",
        "high",
        "name-role-value",
        lambda d: (
            f"The tab '{_q(d['name'])}' has no aria-selected, so screen readers do not "
            "say which tab is showing"
        ),
    ),
    "hover-only-content": Rule(
        WIDGETS,
        ("2.1.1",),
        "serious",
        "high",
        "keyboard",
        lambda d: (
            f"{d['links']} links or buttons here appear only when the mouse is over it "
            "(a :hover style with no :focus or :focus-within), so keyboard users never reach "
            "them"
        ),
    ),
}


async def page_scan(page: LoadedPage) -> dict[str, Any]:
    """The scan of ``page``: taken now, or the one already taken on this visit."""
    taken: dict[str, Any] | None = page.__dict__.get("_scan")
    if taken is not None:
        return taken
    raw = await run_script(
        page,
        "scan",
        {
            "genericAlt": GENERIC_ALT,
            "genericLink": GENERIC_IMAGE_LINK,
            "purposes": PURPOSES,
            "someoneElse": SOMEONE_ELSE,
        },
    )
    taken = dict(raw or {})
    page.__dict__["_scan"] = taken
    return taken


def rule_finding(rule_id: str, item: dict[str, Any]) -> FindingData:
    rule = RULES[rule_id]
    return FindingData(
        check=rule.check,
        rule=rule_id,
        message=rule.message(item.get("detail") or {}),
        wcag=rule.criteria,
        impact=rule.impact,
        selector=item.get("selector", ""),
        snippet=item.get("snippet", ""),
        help_url=HELP + rule.help_page,
        outcome=rule.outcome,
    )


def scan_findings(scan: dict[str, Any], check: str) -> list[FindingData]:
    """The findings of ``check`` in the scan, in page order."""
    found = []
    for item in scan.get("found", []):
        rule_id = item["rule"]
        if rule_id == "autocomplete-missing" and not item.get("detail", {}).get("strong"):
            rule_id = "autocomplete-missing-review"
        if rule_id in RULES and RULES[rule_id].check == check:
            found.append(rule_finding(rule_id, item))
    return found


def rules_of(check: str) -> dict[str, Rule]:
    return {rule_id: rule for rule_id, rule in RULES.items() if rule.check == check}


class ScanCheck(PageCheck):
    """A check whose rules are all read from the shared scan (it only reads the page)."""

    order = 45  # reads the page: before the checks that press keys or resize it

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        criteria = {c for rule in rules_of(cls.name).values() for c in rule.criteria}
        cls.criteria = tuple(sorted(criteria, key=lambda c: [int(x) for x in c.split(".")]))

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        return scan_findings(await page_scan(page), self.name)
