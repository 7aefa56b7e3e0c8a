"""GOV.UK Frontend's published component examples, each in a minimal accessible page.

The package is fetched by ``make govuk-frontend`` (a pinned version, from the npm registry,
into the git-ignored ``.cache/``). Each component's ``fixtures.json`` holds its examples as
rendered HTML; the examples not marked ``hidden`` are the ones GOV.UK publishes (the hidden
ones exist for its own unit tests). Each goes into the GOV.UK page template with the
package's own CSS, fonts and JavaScript, served from a local site.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT
from tests.crawlers.checks.conftest import LocalSite

VERSION = "6.6.0"
DIST = Path(
    os.environ.get(
        "MONITOR_GOVUK_FRONTEND_DIR",
        PROJECT / ".cache" / f"govuk-frontend-{VERSION}" / "package" / "dist" / "govuk",
    )
)
#: Components that are page furniture: their example takes the place of the template's own.
FURNITURE = {
    "header": "header",
    "generic-header": "header",
    "footer": "footer",
    "skip-link": "skip",
    "cookie-banner": "banner",
}


@dataclass(frozen=True)
class Example:
    component: str
    name: str
    html: str
    body_classes: str
    index: int
    description: str = ""

    @property
    def lang(self) -> str:
        """The language of the page the example is meant for: GOV.UK's translated examples
        are Welsh, for a page in Welsh."""
        welsh = "translat" in self.name.lower() or "into welsh" in self.description.lower()
        return "cy" if welsh else "en"

    @property
    def path(self) -> str:
        return f"/govuk/{self.component}/{self.index}"


def available() -> bool:
    return (DIST / "components" / "button" / "fixtures.json").is_file()


def examples(*, include_hidden: bool = False) -> list[Example]:
    found = []
    for fixtures in sorted((DIST / "components").glob("*/fixtures.json")):
        component = fixtures.parent.name
        listed = json.loads(fixtures.read_text(encoding="utf-8"))["fixtures"]
        for index, fixture in enumerate(listed):
            if fixture.get("hidden") and not include_hidden:
                continue
            options = fixture.get("pageTemplateOptions") or {}
            found.append(
                Example(
                    component,
                    fixture["name"],
                    fixture["html"],
                    options.get("bodyClasses", ""),
                    index,
                    fixture.get("description", ""),
                )
            )
    return found


def page_of(example: Example) -> str:
    place = FURNITURE.get(example.component)
    title = f"{example.component}: {example.name}".capitalize()
    heading = (
        "" if "<h1" in example.html else f'<h1 class="govuk-heading-l">{html.escape(title)}</h1>'
    )
    skip = (
        example.html
        if place == "skip"
        else '<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">'
        "Skip to main content</a>"
    )
    header = (
        example.html
        if place == "header"
        else '<header class="govuk-header" data-module="govuk-header"><div '
        'class="govuk-header__container govuk-width-container"><div class="govuk-header__logo">'
        '<a href="/" class="govuk-header__link govuk-header__link--homepage">GOV.UK</a></div>'
        "</div></header>"
    )
    banner = example.html if place == "banner" else ""
    footer = (
        example.html
        if place == "footer"
        else '<footer class="govuk-footer"><div class="govuk-width-container"><ul '
        'class="govuk-footer__inline-list"><li class="govuk-footer__inline-list-item"><a '
        'class="govuk-footer__link" href="/accessibility-statement">Accessibility statement</a>'
        "</li></ul></div></footer>"
    )
    content = "" if place else example.html
    if place == "footer":  # the template's footer carried the statement link
        content = (
            '<p class="govuk-body"><a class="govuk-link" href="/accessibility-statement">'
            "Accessibility statement</a></p>"
        )
    return f"""<!DOCTYPE html>
<html lang="{example.lang}" class="govuk-template govuk-template--rebranded">
<head><meta charset="utf-8"><title>{html.escape(title)} - GOV.UK Frontend</title>
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<link rel="stylesheet" href="/govuk/govuk-frontend.min.css"></head>
<body class="govuk-template__body {example.body_classes}">
<script>document.body.className += ' js-enabled' +
  ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');</script>
{banner}{skip}{header}
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
{heading}
{content}
</main></div>
{footer}
<script type="module">import {{ initAll }} from '/govuk/govuk-frontend.min.js'; initAll();</script>
</body></html>"""


def serve(site: LocalSite, chosen: list[Example]) -> dict[Example, str]:
    """Put the package's CSS, JavaScript and assets and every example page on ``site``."""
    site.add(
        "/govuk/govuk-frontend.min.css", (DIST / "govuk-frontend.min.css").read_bytes(), "text/css"
    )
    site.add(
        "/govuk/govuk-frontend.min.js",
        (DIST / "govuk-frontend.min.js").read_bytes(),
        "text/javascript",
    )
    for asset in (DIST / "assets").rglob("*"):
        if asset.is_file():
            kind = {
                ".woff2": "font/woff2",
                ".woff": "font/woff",
                ".svg": "image/svg+xml",
                ".png": "image/png",
                ".ico": "image/x-icon",
            }.get(asset.suffix, "application/octet-stream")
            site.add("/" + str(asset.relative_to(DIST)), asset.read_bytes(), kind)
    return {example: site.add(example.path, page_of(example)) for example in chosen}
