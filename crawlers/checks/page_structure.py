"""The page-structure check: what a page says about itself as a whole.

- 2.4.2 page titles that are generic ("Untitled", "index.html"); titles shared by several
  pages of a service are the ``page-titles`` service check's, judged from what the run
  recorded.
- 2.4.4 generic link text ("click here", "read more") for links that go to different
  places, when nothing around the link (its sentence, list item or cell) says where.
- 1.3.1 / 2.4.6 headings that skip levels (h2 → h4) or are empty.
- 3.1.1 the page's ``lang`` against the language its text is written in (lingua's
  language identification, ``crawlers.language``; only clear cases are reported).
- 3.3.2 form fields with a placeholder but no label.
- the 2018 regulations: a link to the accessibility statement (see ``statement.py``).

``error_identification`` is the 3.3.1 check the journey runner calls after an invalid
submission.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any, Protocol
from urllib.parse import urldefrag, urlsplit

from crawlers.base import FindingData, LoadedPage
from crawlers.check import PageCheck
from crawlers.checks._inpage import run_script
from crawlers.checks.statement import statement_link_findings
from crawlers.context import PageContext
from crawlers.language import confirm, known, name_of, page_language, primary

CHECK_NAME = "page-structure"
HELP = "https://www.w3.org/WAI/WCAG22/Understanding/"

GENERIC_TITLES = {
    "untitled",
    "untitled document",
    "untitled page",
    "document",
    "page",
    "new page",
    "index",
    "default",
    "title",
    "page title",
    "react app",
    "vite app",
    "vite + react",
    "my site",
    "test",
    "home",
    "home page",
    "homepage",
    "welcome",
    "welcome page",
    "start page",
    "hafan",
}
_FILE_TITLE = re.compile(r"^[\w-]+\.(html?|aspx?|php|jsp)$|^https?://", re.IGNORECASE)

GENERIC_LINK_TEXT = {
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "more info",
    "more information",
    "find out more",
    "learn more",
    "this link",
    "link",
    "continue reading",
    "details",
    "go",
    "see more",
    "download",
    "view",
    "this page",
    "website",
    "cliciwch yma",
    "yma",
    "darllen mwy",
    "mwy",
}
#: Words around a link that count as its context (WCAG 2.4.4 allows the link's sentence).
CONTEXT_WORDS = 2


def finding(
    rule: str,
    wcag: tuple[str, ...],
    impact: str,
    message: str,
    item: dict[str, Any] | None = None,
    *,
    key: str = "",
    help_page: str = "",
) -> FindingData:
    item = item or {}
    return FindingData(
        check=CHECK_NAME,
        rule=rule,
        message=message,
        wcag=wcag,
        impact=impact,
        selector=item.get("selector", ""),
        snippet=item.get("snippet", ""),
        key=key,
        help_url=HELP + help_page if help_page else None,
    )


def detect_language(text: str) -> str | None:
    """The language code of the page's text, or None when it is short, mixed or unclear
    (``crawlers.language``: lingua's models, offline)."""
    return page_language(text)


def title_findings(title: str, url: str = "", council: str = "") -> list[FindingData]:
    """2.4.2: a title that names no topic: a generic word, a file name, or only the
    council's name on a page that is not the site's home page."""
    plain = " ".join(title.split()).strip()
    home = urlsplit(url).path in ("", "/")
    only_council = bool(council) and not home and plain.lower() == council.strip().lower()
    if plain and (plain.lower() in GENERIC_TITLES or _FILE_TITLE.match(plain) or only_council):
        return [
            finding(
                "page-title-generic",
                ("2.4.2",),
                "serious",
                f"The page title '{plain}' does not describe the page's topic or purpose",
                help_page="page-titled",
            )
        ]
    return []


def link_text_findings(links: list[dict[str, Any]]) -> list[FindingData]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        name = re.sub(r"[^\w\s]", "", link["name"].lower()).strip()
        name = " ".join(name.split())
        if name in GENERIC_LINK_TEXT and len(link["context"].split()) < CONTEXT_WORDS:
            groups[name].append(link)
    found = []
    for name, group in groups.items():
        targets = {urldefrag(link["href"])[0] for link in group}
        if len(targets) < 2:
            continue
        found.append(
            finding(
                "link-text-generic",
                ("2.4.4",),
                "serious",
                f"{len(group)} links say only '{group[0]['name']}' but go to {len(targets)} "
                "different places, and nothing around them says where",
                group[0],
                key=name,
                help_page="link-purpose-in-context",
            )
        )
    return found


def heading_findings(headings: list[dict[str, Any]]) -> list[FindingData]:
    found = []
    previous: int | None = None
    for heading in headings:
        if not heading["text"]:
            found.append(
                finding(
                    "heading-empty",
                    ("1.3.1", "2.4.6"),
                    "moderate",
                    f"An h{heading['level']} heading has no text",
                    heading,
                    help_page="headings-and-labels",
                )
            )
            continue
        level = heading["level"]
        if previous is not None and level > previous + 1:
            found.append(
                finding(
                    "heading-skipped-level",
                    ("1.3.1",),
                    "minor",
                    f"The heading '{heading['text'][:80]}' is an h{level} straight after an "
                    f"h{previous}: heading levels should not be skipped",
                    heading,
                    help_page="info-and-relationships",
                )
            )
        previous = level
    return found


def language_findings(lang: str, text: str) -> list[FindingData]:
    declared = primary(lang)
    if not declared or not known(declared):
        return []  # a missing lang is axe's html-has-lang; an unknown language, unjudged
    detected = detect_language(text)
    if detected is None or detected == declared or confirm(text[:3000], detected, declared) < 0.9:
        return []
    return [
        finding(
            "language-mismatch",
            ("3.1.1",),
            "serious",
            f'The page says its language is "{lang}" but its text is in '
            f"{name_of(detected)}, so screen readers pronounce it wrongly",
            {"selector": "html"},
            help_page="language-of-page",
        )
    ]


def placeholder_findings(fields: list[dict[str, Any]]) -> list[FindingData]:
    return [
        finding(
            "placeholder-no-label",
            ("3.3.2", "1.3.1"),
            "serious",
            f"The field with placeholder '{field['placeholder']}' has no label: the placeholder "
            "disappears while typing and is not a label",
            field,
            help_page="labels-or-instructions",
        )
        for field in fields
    ]


class PageStructureCheck(PageCheck):
    """Judges the page as a whole: title, headings, links, language, labels, statement."""

    name = CHECK_NAME
    version = "3"
    criteria = ("1.3.1", "2.4.2", "2.4.4", "2.4.6", "3.1.1", "3.3.2")
    order = 40

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        facts = await run_script(page, "page_structure", {"generic": sorted(GENERIC_LINK_TEXT)})
        council = context.brand.council_name if context.brand is not None else ""
        findings = title_findings(facts["title"], page.url, council)
        findings += link_text_findings(facts["links"])
        findings += heading_findings(facts["headings"])
        findings += language_findings(facts["lang"], facts["text"])
        findings += placeholder_findings(facts["labelless"])
        findings += statement_link_findings(facts["links"], CHECK_NAME)
        return findings


# --- 3.3.1 error identification, for the journey runner -------------------------------

ERROR_STATE_JS = """() => {
  const visible = (el) => !!el && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden';
  const text = (el) => (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim();
  const words = /error|problem|invalid|required|must|enter|select|check|missing|cannot|can't/i;
  const alerts = Array.from(document.querySelectorAll(
      '[role=alert], [role=alertdialog], [aria-live=assertive], [aria-live=polite], ' +
      '.error-summary, .govuk-error-summary, .error-message, .govuk-error-message'))
    .filter(visible).map(text).filter((t) => t && words.test(t));
  const invalid = Array.from(document.querySelectorAll('[aria-invalid=true]')).map((el) => {
    const ids = ((el.getAttribute('aria-describedby') || '') + ' ' +
      (el.getAttribute('aria-errormessage') || '')).split(/\\s+/).filter(Boolean);
    const described = ids.map((id) => document.getElementById(id)).filter(visible)
      .map(text).join(' ');
    const labels = Array.from(el.labels || []).map(text).join(' ');
    return { name: el.name || el.id || el.localName, described: !!described || words.test(labels),
      selector: el.id ? '#' + CSS.escape(el.id) : el.localName + '[name="' + el.name + '"]' };
  });
  const body = text(document.body);
  return { title: document.title, alerts, invalid, body: body.slice(0, 20000),
    invalidNative: Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => el.willValidate && !el.checkValidity()).length };
}"""


class ScriptablePage(Protocol):
    """A ``LoadedPage`` or the journey runner's Playwright ``Page``: both evaluate scripts."""

    def evaluate(self, script: str, arg: Any = None, /) -> Awaitable[Any]: ...


async def form_state(page: ScriptablePage) -> dict[str, Any]:
    """What the page shows about errors; take it before submitting, to compare after."""
    state: dict[str, Any] = await page.evaluate(ERROR_STATE_JS)
    return state


async def error_identification(
    page: ScriptablePage,
    before: dict[str, Any] | None = None,
    *,
    journey_id: str | None = None,
    journey_step: int | None = None,
) -> list[FindingData]:
    """3.3.1: after an invalid submission, the error is identified and described in text.

    Call it on the page a journey step reached by submitting invalid data (optionally with
    ``form_state`` taken before submitting). Two failures are reported: nothing on the page
    says there is an error (no error summary or alert, no field marked invalid, no new text
    about the problem), and fields marked invalid with no text saying what is wrong.
    Only call it after a submission the journey *knows* is invalid: after a valid one the
    page rightly shows no error. ``journey_id``/``journey_step`` tie findings to the step.
    """
    after = await form_state(page)
    found: list[FindingData] = []
    if after["invalidNative"]:
        return []  # the browser's own validation stopped the submission and says why
    new_text = after["body"] if before is None else _new_words(before["body"], after["body"])
    says_error = bool(after["alerts"]) or bool(after["invalid"])
    says_error = says_error or after["title"].lower().startswith(("error", "there is a problem"))
    if not says_error and before is not None:
        says_error = bool(
            re.search(r"\b(error|problem|invalid|required|must|enter|select)\b", new_text, re.I)
        )
    if not says_error:
        found.append(
            finding(
                "error-not-identified",
                ("3.3.1",),
                "serious",
                "After an invalid submission nothing on the page says there is an error or "
                "which field is wrong",
                {"selector": "form"},
                help_page="error-identification",
            )
        )
    for field in after["invalid"]:
        if not field["described"]:
            found.append(
                finding(
                    "error-not-described",
                    ("3.3.1",),
                    "serious",
                    f"The field '{field['name']}' is marked invalid but no text says what is "
                    "wrong with it",
                    {"selector": field["selector"]},
                    help_page="error-identification",
                )
            )
    for item in found:
        item.journey_id, item.journey_step = journey_id, journey_step
    return found


def _new_words(before: str, after: str) -> str:
    old = set(before.lower().split())
    return " ".join(w for w in after.split() if w.lower() not in old)


CHECK = PageStructureCheck()
