"""Pages of the demo "Example County Council" site (the council's main host).

One shared layout (``layout``) draws the skip link, cookie banner, header with logo and
navigation, breadcrumbs, the feedback slot and the footer; every page function returns a
``Response``. Deliberate defects listed in ``manifest.json`` are drawn only while
``ctx.active(defect_id)`` is true, so ``DemoSite.fix_defect`` can remove them at run time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from demo.common import (
    Ctx,
    Errors,
    Handler,
    Response,
    csrf_input,
    error_summary,
    esc,
    hidden_inputs,
    radio_field,
    redirect,
    reference,
    text_field,
    with_query,
)

# ----- the council's brand --------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    primary: str = "#1d3f6e"  # header background
    text: str = "#0b0c0c"
    link: str = "#1d5fa8"
    link_visited: str = "#4c2c92"
    focus: str = "#ffdd00"
    background: str = "#ffffff"
    secondary_background: str = "#f3f2f1"  # footer, cookie banner
    button: str = "#00703c"
    button_text: str = "#ffffff"
    header_text: str = "#ffffff"
    error: str = "#d4351c"


@dataclass(frozen=True)
class FooterLink:
    text: str
    href: str


@dataclass(frozen=True)
class Brand:
    council_name: str
    palette: Palette
    body_typeface: str
    heading_typeface: str
    title_pattern: str
    logo_path: str
    logo_alt: str
    logo_width: int
    logo_height: int
    favicon_path: str
    footer_links: tuple[FooterLink, ...]
    cookie_banner_id: str
    cookie_banner_label: str
    stylesheet: str

    def title(self, page: str) -> str:
        return self.title_pattern.format(page=page)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


BRAND = Brand(
    council_name="Example County Council",
    palette=Palette(),
    body_typeface="Arial, Helvetica, sans-serif",
    heading_typeface="Arial, Helvetica, sans-serif",
    title_pattern="{page} - Example County Council",
    logo_path="/static/logo.png",
    logo_alt="Example County Council",
    logo_width=240,
    logo_height=60,
    favicon_path="/favicon.ico",
    footer_links=(
        FooterLink("Accessibility statement", "/accessibility-statement"),
        FooterLink("Privacy notice", "/privacy"),
        FooterLink("Cookies", "/cookies"),
        FooterLink("Contact us", "/contact"),
    ),
    cookie_banner_id="cookie-banner",
    cookie_banner_label="Cookies on Example County Council",
    stylesheet="/static/council.css",
)

COUNCIL = BRAND.council_name
PHONE = "03000 41 41 41"
STATEMENT_PATH = "/accessibility-statement"
#: Adds the footer's statement link from script (the school admissions pages' template).
STATEMENT_LINK_SCRIPT = '<script src="/static/statement-link.js"></script>'


# ----- shared pieces ----------------------------------------------------------------------

COOKIE_SCRIPT = """
(function () {
  var banner = document.getElementById('cookie-banner');
  if (!banner) { return; }
  if (document.cookie.indexOf('dx_cookie_preferences=') !== -1) { banner.hidden = true; }
  var buttons = banner.querySelectorAll('button[data-cookie-choice]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (event) {
      var choice = event.currentTarget.getAttribute('data-cookie-choice');
      document.cookie = 'dx_cookie_preferences=' + choice +
        '; path=/; max-age=31536000; SameSite=Lax';
      banner.hidden = true;
    });
  }
  var summary = document.querySelector('.error-summary');
  if (summary) { summary.focus(); }
})();
"""


def cookie_banner(ctx: Ctx, *, label: str = BRAND.cookie_banner_label, css: str = "") -> str:
    button = css or "button"
    return f"""
<div id="cookie-banner" class="cookie-banner" role="region" aria-label="{esc(label)}">
  <div class="width-container pr-container">
    <h2>{esc(label)}</h2>
    <p>We use some essential cookies to make this website work.</p>
    <p>We would like to set additional cookies to understand how you use the website, remember
    your settings and improve our services. We do not share these cookies with anyone else.</p>
    <div class="button-group">
      <button type="button" class="{button}" data-cookie-choice="accept">Accept analytics
        cookies</button>
      <button type="button" class="{button}" data-cookie-choice="reject">Reject analytics
        cookies</button>
      <a href="{esc(ctx.main_url if ctx.host == "supplier" else "")}/cookies">View cookies</a>
    </div>
  </div>
</div>"""


def feedback_slot(ctx: Ctx, service: str) -> str:
    query = urlencode({"service": service, "page": ctx.path})
    base = ctx.feedback_url or ""
    return (
        f'<div class="dx-feedback" data-service="{esc(service)}" data-page="{esc(ctx.path)}">'
        f'<p><a href="{esc(base)}/feedback?{esc(query)}">Is this page useful? Tell us</a></p>'
        "</div>"
    )


def feedback_script(ctx: Ctx) -> str:
    if not ctx.feedback_url:
        return ""
    return f'<script src="{esc(ctx.feedback_url)}/widget.js" defer></script>'


def extra_paragraph(ctx: Ctx) -> str:
    if ctx.extra_paragraph is None:
        return ""
    return f'<p class="dx-page-update">{esc(ctx.extra_paragraph)}</p>'


ICON_SPRITE = """<svg xmlns="http://www.w3.org/2000/svg" class="icon-sprite" aria-hidden="true"
  focusable="false">
<symbol id="icon-phone" viewBox="0 0 24 24"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2
  c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1
  h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z"/></symbol>
<symbol id="icon-email" viewBox="0 0 24 24"><path d="M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16
  a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5z"/></symbol>
<symbol id="icon-clock" viewBox="0 0 24 24"><path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z
  m0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z"/></symbol>
<symbol id="icon-pin" viewBox="0 0 24 24"><path d="M12 2a7 7 0 0 0-7 7c0 5.3 7 13 7 13s7-7.7 7-13
  a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z"/></symbol>
<symbol id="icon-download" viewBox="0 0 24 24"><path d="M19 9h-4V3H9v6H5l7 7 7-7zM5 18v2h14v-2z"/>
</symbol>
<symbol id="icon-chevron" viewBox="0 0 24 24"><path d="M8.6 16.6 13.2 12 8.6 7.4 10 6l6 6-6 6z"/>
</symbol>
<symbol id="icon-search" viewBox="0 0 24 24"><path d="M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 14 15.5
  l.3.3v.8l5 5 1.5-1.5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z"/></symbol>
<symbol id="icon-info" viewBox="0 0 24 24"><path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 15
  h-2v-6h2zm0-8h-2V7h2z"/></symbol>
<symbol id="icon-warning" viewBox="0 0 24 24"><path d="M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z"/>
</symbol>
</svg>"""

ANALYTICS_SCRIPT = """
(function (w, d) {
  'use strict';
  var consentCookie = 'dx_cookie_preferences=accept';
  function hasConsent() { return d.cookie.indexOf(consentCookie) !== -1; }
  var analytics = w.dxAnalytics = w.dxAnalytics || { queue: [], sent: 0 };
  analytics.track = function (name, data) {
    if (!hasConsent()) { return; }
    analytics.queue.push({ event: name, data: data || {}, at: new Date().toISOString() });
  };
  d.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a') : null;
    if (link) { analytics.track('link', { href: link.getAttribute('href') }); }
  });
  d.addEventListener('submit', function (event) {
    analytics.track('form', { action: event.target.getAttribute('action') });
  });
  analytics.track('pageview', { path: w.location.pathname, title: d.title });
})(window, document);
"""


def head_extras(
    ctx: Ctx,
    title: str,
    crumbs: Sequence[tuple[str, str]],
    organisation: dict[str, Any] | None = None,
) -> str:
    """Open Graph tags and schema.org structured data, as council sites publish them."""
    base = ctx.main_url if ctx.host == "main" else ctx.supplier_url
    org = organisation or {
        "@type": "GovernmentOrganization",
        "@id": f"{ctx.main_url}/#organisation",
        "name": COUNCIL,
        "url": f"{ctx.main_url}/",
        "logo": f"{ctx.main_url}{BRAND.logo_path}",
        "telephone": "+44 3000 41 41 41",
        "areaServed": "Example County",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "County Hall, Example Street",
            "addressLocality": "Exampleton",
            "postalCode": "EX1 1AA",
            "addressCountry": "GB",
        },
        "openingHours": "Mo-Fr 09:00-17:00",
    }
    items = [
        {"@type": "ListItem", "position": i + 1, "name": text, "item": f"{base}{href}"}
        for i, (text, href) in enumerate([*crumbs, (title, ctx.path)])
    ]
    data = {
        "@context": "https://schema.org",
        "@graph": [
            org,
            {
                "@type": "WebPage",
                "name": title,
                "url": f"{base}{ctx.path}",
                "inLanguage": "en-GB",
                "isPartOf": {"@type": "WebSite", "name": COUNCIL, "url": f"{ctx.main_url}/"},
                "breadcrumb": {"@type": "BreadcrumbList", "itemListElement": items},
            },
        ],
    }
    return f"""<meta property="og:title" content="{esc(title)}">
<meta property="og:type" content="website">
<meta property="og:url" content="{esc(base + ctx.path)}">
<meta property="og:site_name" content="{esc(COUNCIL)}">
<meta property="og:locale" content="en_GB">
<meta property="og:image" content="{esc(ctx.main_url + BRAND.logo_path)}">
<meta name="twitter:card" content="summary">
<script type="application/ld+json">{json.dumps(data, indent=1)}</script>"""


NAV: tuple[tuple[str, str], ...] = (
    ("Home", "/"),
    ("Roads and pavements", "/report-a-pothole"),
    ("Blue Badges", "/apply-for-a-blue-badge"),
    ("Schools", "/school-admissions"),
    ("Libraries", "/join-the-library"),
    ("Parking fines", "{supplier}/pay-a-parking-fine"),
    ("Contact us", "/contact"),
)

SERVICE_LINKS: tuple[tuple[str, str], ...] = (
    ("Report a pothole", "/report-a-pothole"),
    ("Apply for a Blue Badge", "/apply-for-a-blue-badge"),
    ("School admissions", "/school-admissions"),
    ("Join the library", "/join-the-library"),
    ("Pay a parking fine", "{supplier}/pay-a-parking-fine"),
)


def _href(ctx: Ctx, href: str) -> str:
    return href.replace("{supplier}", ctx.supplier_url)


def _nav(ctx: Ctx) -> str:
    items = []
    for text, href in NAV:
        current = (href == "/" and ctx.path == "/") or (
            href not in ("/",) and "{" not in href and ctx.path.startswith(href)
        )
        aria = ' aria-current="page"' if current else ""
        items.append(f'<li><a href="{esc(_href(ctx, href))}"{aria}>{esc(text)}</a></li>')
    return (
        '<nav class="site-nav" aria-label="Main">'
        f'<div class="width-container"><ul>{"".join(items)}</ul></div></nav>'
    )


def _breadcrumbs(crumbs: Sequence[tuple[str, str]]) -> str:
    if not crumbs:
        return ""
    items = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for text, href in crumbs)
    return f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>{items}</ol></nav>'


def _footer(ctx: Ctx, *, statement_by_script: bool = False) -> str:
    services = "".join(
        f'<li><a href="{esc(_href(ctx, href))}">{esc(text)}</a></li>'
        for text, href in SERVICE_LINKS
    )
    meta = "".join(
        f'<li><a href="{esc(link.href)}">{esc(link.text)}</a></li>'
        for link in BRAND.footer_links
        if not (statement_by_script and link.href == STATEMENT_PATH)
    )
    return f"""
<footer class="site-footer">
  <div class="width-container">
    <div class="columns">
      <div>
        <h2>Popular services</h2>
        <ul>{services}</ul>
      </div>
      <div>
        <h2>Contact the council</h2>
        <address>
          {COUNCIL}<br>County Hall<br>Example Street<br>Exampleton<br>EX1 1AA
        </address>
        <p>Phone: {PHONE}<br>Monday to Friday, 9am to 5pm</p>
      </div>
      <div>
        <h2>Opening hours</h2>
        <p>Our contact centre is open Monday to Friday, 9am to 5pm, except bank holidays.
        Libraries and gateway centres have their own opening hours, which may change during
        school holidays.</p>
        <p>Out of hours, for emergencies on the roads or with social care, call
        03000 41 91 91.</p>
      </div>
      <div>
        <h2>Council and democracy</h2>
        <p>The county has 81 elected councillors. Full council meets six times a year at
        County Hall and every meeting is open to the public and webcast live.</p>
        <p>Council Tax is collected by your district or borough council on our behalf.</p>
      </div>
      <div>
        <h2>Help us improve</h2>
        <p>We are always looking for residents to help us test our online services. Tell us
        what works and what does not using the feedback link on any page.</p>
        <p>Our services are designed to meet the Web Content Accessibility Guidelines 2.2
        at level AA.</p>
      </div>
    </div>
    <h2 class="visually-hidden">Support links</h2>
    <ul class="meta-links">{meta}</ul>
    <p>&copy; {COUNCIL} 2026. All content is available under the Open Government Licence
    v3.0, except where otherwise stated.</p>
  </div>
</footer>"""


def layout(
    ctx: Ctx,
    *,
    page: str,
    content: str,
    service: str | None,
    crumbs: Sequence[tuple[str, str]] = (),
    error: bool = False,
    skip_link: bool = True,
    lang: bool = True,
    description: str = "",
    status: int = 200,
    before_main: str = "",
    scripts: str = "",
    statement_by_script: bool = False,
) -> Response:
    """The whole HTML document of a council page (``statement_by_script``: its footer's
    accessibility statement link is added by script, as a supplier's template may)."""
    title = ("Error: " if error else "") + BRAND.title(page)
    lang_attr = ' lang="en"' if lang else ""
    skip = '<a href="#main-content" class="skip-link">Skip to main content</a>' if skip_link else ""
    slot = feedback_slot(ctx, service) if service else ""
    desc = description or f"{page}: information and online services from {COUNCIL}."
    body = f"""<!DOCTYPE html>
<html{lang_attr}>
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{esc(desc)}">
<meta name="generated" content="{esc(ctx.generated)}">
<meta name="theme-color" content="{BRAND.palette.primary}">
<link rel="icon" href="{BRAND.favicon_path}" type="image/x-icon">
<link rel="stylesheet" href="{BRAND.stylesheet}">
{head_extras(ctx, page, crumbs)}
</head>
<body>
{skip}
{cookie_banner(ctx)}
<header class="site-header">
  <div class="width-container">
    <a href="/" class="council-logo"><img src="{BRAND.logo_path}" alt="{esc(BRAND.logo_alt)}"
      width="{BRAND.logo_width}" height="{BRAND.logo_height}"></a>
    <p class="header-search">Call us on {PHONE}</p>
  </div>
  {_nav(ctx)}
</header>
<div class="width-container">
{_breadcrumbs(crumbs)}
<main id="main-content">
{before_main}
{content}
{extra_paragraph(ctx)}
{slot}
</main>
</div>
{_footer(ctx, statement_by_script=statement_by_script)}
{ICON_SPRITE}
<script nonce="{esc(ctx.nonce)}">{COOKIE_SCRIPT}</script>
<script nonce="{esc(ctx.nonce)}">{ANALYTICS_SCRIPT}</script>
{scripts}
{STATEMENT_LINK_SCRIPT if statement_by_script else ""}
{feedback_script(ctx) if service else ""}
</body>
</html>
"""
    return Response(status=status, body=body)


HOME_CRUMB = ("Home", "/")


def back_link(href: str) -> str:
    return f'<a href="{esc(href)}" class="back-link">Back</a>'


def start_button(href: str, text: str = "Start now") -> str:
    return f'<a href="{esc(href)}" draggable="false" class="button button--start">{esc(text)}</a>'


# ===== council-website ==================================================================


def home(ctx: Ctx) -> Response:
    cards = [
        (
            "Report a pothole",
            "/report-a-pothole",
            "Tell us about a pothole or other damage on a road, pavement or cycle path.",
        ),
        (
            "Apply for a Blue Badge",
            "/apply-for-a-blue-badge",
            "Check if you are eligible for a Blue Badge parking permit and apply online.",
        ),
        (
            "School admissions",
            "/school-admissions",
            "Apply for a primary or secondary school place and check term dates.",
        ),
        (
            "Join the library",
            "/join-the-library",
            "Get a free library card to borrow books, e-books and audiobooks.",
        ),
        (
            "Pay a parking fine",
            f"{ctx.supplier_url}/pay-a-parking-fine",
            "Pay a penalty charge notice (PCN) online with a debit or credit card.",
        ),
    ]
    card_html = "".join(
        f'<li><h3><a href="{esc(href)}">{esc(title)}</a></h3><p>{esc(text)}</p></li>'
        for title, href, text in cards
    )
    content = f"""
<h1>{COUNCIL}</h1>
<p class="lede">Find information and use council services online, at any time of day.</p>
<h2>Popular services</h2>
<ul class="card-list">{card_html}</ul>
<h2 id="news">Latest news</h2>
<ul class="news-list">
  <li><time datetime="2026-09-28">28 September 2026</time>
    <a href="/join-the-library">Libraries open on Sunday afternoons from October</a>
    <p>Six of our busiest libraries will open from 1pm to 4pm on Sundays. Joining is free.</p></li>
  <li><time datetime="2026-09-21">21 September 2026</time>
    <a href="/report-a-pothole">Winter road repair programme begins</a>
    <p>Our highways teams will repair more than 12,000 potholes before the end of March.
    Please keep reporting road damage online.</p></li>
  <li><time datetime="2026-09-14">14 September 2026</time>
    <a href="/school-admissions">Secondary school applications are now open</a>
    <p>Apply by 31 October 2026 for a place starting in September 2027.</p></li>
</ul>
<h2>Council staff</h2>
<p>Council staff and councillors can <a href="/private/staff-only">sign in to the staff
intranet</a>.</p>
<h2>Your council</h2>
<p>{COUNCIL} provides services to more than 1.5 million residents, including roads and
transport, adult social care, schools, libraries and the environment. Council meetings are
open to the public and you can ask a question at most meetings by contacting Democratic
Services.</p>
"""
    return layout(
        ctx,
        page="Home",
        content=content,
        service="council-website",
        description=f"Information and online services from {COUNCIL}.",
    )


def accessibility_statement(ctx: Ctx) -> Response:
    content = f"""
<h1>Accessibility statement for {COUNCIL} online services</h1>
<p>This accessibility statement applies to the website of {COUNCIL} and to the online
services it runs or that are run for it, including Report a pothole, Apply for a Blue Badge,
School admissions, Join the library and Pay a parking fine.</p>
<p>This website is run by {COUNCIL}. We want as many people as possible to be able to use
it. For example, that means you should be able to:</p>
<ul>
  <li>change colours, contrast levels and fonts using browser or device settings</li>
  <li>zoom in up to 400% without the text spilling off the screen</li>
  <li>navigate most of the website using a keyboard or speech recognition software</li>
  <li>listen to most of the website using a screen reader (including the most recent
  versions of JAWS, NVDA and VoiceOver)</li>
</ul>
<p>We have also made the website text as simple as possible to understand.</p>
<p>AbilityNet has advice on making your device easier to use if you have a disability.</p>

<h2>How accessible this website is</h2>
<p>We know some parts of this website are not fully accessible. Details are given in the
section on non-accessible content.</p>

<h2>Feedback and contact information</h2>
<p>If you find a problem with this website, or you need information in a different format
like accessible PDF, large print, easy read, audio recording or braille, you can:</p>
<ul>
  <li>use the "Is this page useful? Tell us" link at the bottom of any page to report a
  problem</li>
  <li>email accessibility@example.gov.uk</li>
  <li>call {PHONE}</li>
</ul>
<p>We will consider your request to get content in another format and get back to you in
10 working days.</p>

<h3>Reporting accessibility problems with this website</h3>
<p>We are always looking to improve the accessibility of this website. If you find any
problems not listed on this page or think we are not meeting accessibility requirements,
<a href="/contact">contact us</a> to report a problem.</p>

<h2>Enforcement procedure</h2>
<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018
(the "accessibility regulations"). If you are not happy with how we respond to your
complaint, contact the Equality Advisory and Support Service (EASS).</p>

<h2>Technical information about this website's accessibility</h2>
<p>{COUNCIL} is committed to making its website accessible, in accordance with the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.</p>

<h3>Compliance status</h3>
<p>This website is partially compliant with the Web Content Accessibility Guidelines version
2.2 AA standard, due to the non-compliances listed below.</p>

<h2>Non-accessible content</h2>
<p>The content listed below is non-accessible for the following reasons.</p>
<h3>Non-compliance with the accessibility regulations</h3>
<ul>
  <li>An image on the Report a pothole start page has no text alternative. This fails WCAG
  2.2 success criterion 1.1.1 (Non-text Content).</li>
  <li>One text box in the Report a pothole form has no label. This fails WCAG 2.2 success
  criterion 1.3.1 (Info and Relationships).</li>
  <li>Some text in Apply for a Blue Badge does not have enough contrast with its background.
  This fails WCAG 2.2 success criterion 1.4.3 (Contrast (Minimum)).</li>
  <li>The map of school catchment areas traps keyboard focus. This fails WCAG 2.2 success
  criterion 2.1.2 (No Keyboard Trap).</li>
  <li>The Pay a parking fine service, run by our supplier, does not yet follow the council's
  branding.</li>
</ul>
<p>We plan to fix these problems by 31 March 2027.</p>

<h2>Disproportionate burden</h2>
<p>We are not currently claiming that any accessibility problems would be a
disproportionate burden to fix.</p>

<h2>Content that's not within the scope of the accessibility regulations</h2>
<h3>PDFs and other documents</h3>
<p>Some of our PDFs and Word documents published before 23 September 2018 are not
accessible. The accessibility regulations do not require us to fix these documents if they
are not essential to providing our services. Any new PDFs or Word documents we publish will
meet accessibility standards.</p>

<h2>What we're doing to improve accessibility</h2>
<p>We test every online service automatically every night and fix the problems we find. We
also test services with disabled residents before we launch them.</p>

<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on 1 September 2026. It was last reviewed on 1 October 2026.</p>
<p>This website was last tested on 30 September 2026. The test was carried out by the
council's digital team using automated tools and manual testing of a sample of pages.</p>
"""
    return layout(
        ctx,
        page="Accessibility statement",
        content=content,
        service="council-website",
        crumbs=[HOME_CRUMB],
    )


def privacy(ctx: Ctx) -> Response:
    content = f"""
<h1>Privacy notice</h1>
<p class="lede">How {COUNCIL} collects and uses your personal information.</p>
<h2>Who we are</h2>
<p>{COUNCIL} is the data controller for the personal information you give us when you use
our online services. Our data protection officer can be contacted at
dataprotection@example.gov.uk or by writing to County Hall, Example Street, Exampleton
EX1 1AA.</p>
<h2>What information we collect</h2>
<p>We collect the information you give us in our forms, for example your name, contact
details and details of the service you are applying for. When you leave feedback about a
page we do not ask for your name or contact details, and we remove personal information
that you type into a comment before anyone reads it.</p>
<h2>Why we use your information</h2>
<ul>
  <li>to provide the service you have asked for</li>
  <li>to contact you about your request</li>
  <li>to improve our services</li>
  <li>to meet our legal duties</li>
</ul>
<h2>How long we keep your information</h2>
<p>We keep your information only as long as we need it, in line with our retention
schedule. Feedback about pages is kept for 2 years.</p>
<h2>Your rights</h2>
<p>You have the right to ask for a copy of the information we hold about you, to ask us to
correct it, and in some cases to ask us to delete it. You can complain to the Information
Commissioner's Office if you are unhappy with how we have used your information.</p>
"""
    return layout(
        ctx, page="Privacy notice", content=content, service="council-website", crumbs=[HOME_CRUMB]
    )


def cookies(ctx: Ctx) -> Response:
    saved = ""
    choice = ctx.value("analytics")
    headers: dict[str, str] = {}
    if ctx.method == "POST" and choice in ("yes", "no"):
        saved = (
            '<div class="inset" role="status"><h2>Your cookie settings were saved</h2>'
            "<p>You can change your settings at any time on this page.</p></div>"
        )
        preference = "accept" if choice == "yes" else "reject"
        headers["Set-Cookie"] = (
            f"dx_cookie_preferences={preference}; Path=/; Max-Age=31536000; SameSite=Lax"
        )
    content = f"""
{saved}
<h1>Cookies</h1>
<p class="lede">Cookies are small files saved on your phone, tablet or computer when you
visit a website.</p>
<p>We use cookies to make this website work and to collect information about how you use
our services.</p>
<h2>Essential cookies</h2>
<p>Essential cookies keep your information secure while you use our services. We do not
need to ask permission to use them.</p>
<table>
  <caption>Essential cookies we use</caption>
  <thead>
    <tr><th scope="col">Name</th><th scope="col">Purpose</th><th scope="col">Expires</th></tr>
  </thead>
  <tbody>
    <tr><td>dx_cookie_preferences</td><td>Saves your cookie consent settings</td>
      <td>1 year</td></tr>
    <tr><td>dx_session</td><td>Remembers your answers while you fill in a form</td>
      <td>When you close your browser</td></tr>
  </tbody>
</table>
<h2>Analytics cookies (optional)</h2>
<p>With your permission, we use analytics software to collect data about how you use this
website. This information helps us to improve our services.</p>
<form method="post" action="/cookies" novalidate>
  {csrf_input(ctx)}
  {
        radio_field(
            "analytics",
            "Do you want to accept analytics cookies?",
            [("yes", "Yes"), ("no", "No")],
            choice,
        )
    }
  <button type="submit" class="button">Save cookie settings</button>
</form>
"""
    response = layout(
        ctx, page="Cookies", content=content, service="council-website", crumbs=[HOME_CRUMB]
    )
    response.headers.update(headers)
    return response


def contact(ctx: Ctx) -> Response:
    errors: dict[str, str] = {}
    sent = False
    if ctx.method == "POST":
        if not ctx.value("enquiry-name"):
            errors["enquiry-name"] = "Enter your name"
        if not ctx.value("enquiry-message"):
            errors["enquiry-message"] = "Enter your message"
        sent = not errors
    if sent:
        content = """
<div class="panel"><h1>Message sent</h1><p>We will reply within 10 working days.</p></div>
<p><a href="/">Return to the home page</a></p>
"""
        return layout(
            ctx,
            page="Message sent",
            content=content,
            service="council-website",
            crumbs=[HOME_CRUMB],
        )
    content = f"""
{error_summary(errors)}
<h1>Contact us</h1>
<h2>By phone</h2>
<p>Call {PHONE}, Monday to Friday, 9am to 5pm. For emergencies on the roads out of hours,
call 03000 41 91 91.</p>
<h2>By post</h2>
<address>{COUNCIL}<br>County Hall<br>Example Street<br>Exampleton<br>EX1 1AA</address>
<h2>Send us a message</h2>
<form method="post" action="/contact" novalidate>
  {csrf_input(ctx)}
  {
        text_field(
            "enquiry-name",
            "Your name",
            ctx.value("enquiry-name"),
            errors=errors,
            autocomplete="name",
            spellcheck=False,
        )
    }
  {
        text_field(
            "enquiry-email",
            "Email address (optional)",
            ctx.value("enquiry-email"),
            errors=errors,
            autocomplete="email",
            input_type="email",
            spellcheck=False,
            hint="We will only use this to reply to you.",
        )
    }
  {
        text_field(
            "enquiry-message",
            "Your message",
            ctx.value("enquiry-message"),
            errors=errors,
            textarea=True,
            hint="Do not include personal or financial information.",
        )
    }
  <button type="submit" class="button">Send message</button>
</form>
"""
    return layout(
        ctx,
        page="Contact us",
        content=content,
        service="council-website",
        crumbs=[HOME_CRUMB],
        error=bool(errors),
    )


def staff_only(ctx: Ctx) -> Response:
    content = """
<h1>Staff intranet</h1>
<p>This area is for council staff and councillors only. Sign in with your council account
to continue.</p>
<div class="inset"><p>Search engines are asked not to index this area.</p></div>
<form method="post" action="/private/staff-only" novalidate>
  CSRF
  <div class="form-group"><label for="staff-username">Username</label>
    <input type="text" id="staff-username" name="username" autocomplete="username"
      spellcheck="false"></div>
  <button type="submit" class="button">Sign in</button>
</form>
""".replace("CSRF", csrf_input(ctx))
    return layout(
        ctx, page="Staff intranet", content=content, service="council-website", crumbs=[HOME_CRUMB]
    )


def not_found(ctx: Ctx) -> Response:
    content = f"""
<h1>Page not found</h1>
<p>If you typed the web address, check it is correct.</p>
<p>If you pasted the web address, check you copied the entire address.</p>
<p>If the web address is correct or you selected a link or button, <a href="/contact">contact
us</a> or call {PHONE}.</p>
<p><a href="/">Go to the {COUNCIL} home page</a></p>
"""
    return layout(ctx, page="Page not found", content=content, service=None, status=404)


def server_error(ctx: Ctx, service: str | None) -> Response:
    content = f"""
<h1>Sorry, there is a problem with the service</h1>
<p>Try again later.</p>
<p>We saved your answers. They will be available for 30 days.</p>
<p>If you need help, call {PHONE}.</p>
"""
    return layout(
        ctx,
        page="Sorry, there is a problem with the service",
        content=content,
        service=service,
        status=500,
    )


def feedback_page(ctx: Ctx) -> Response:
    """The no-JavaScript fallback of the feedback widget when no feedback service is set."""
    service = ctx.value("service")
    page = ctx.value("page")
    if ctx.method == "POST":
        content = """
<div class="panel"><h1>Thank you for your feedback</h1>
<p>We read every comment and use it to improve our pages.</p></div>
<p><a href="/">Return to the home page</a></p>
"""
        return layout(
            ctx,
            page="Thank you for your feedback",
            content=content,
            service=None,
            crumbs=[HOME_CRUMB],
        )
    content = f"""
<h1>Tell us what you think of this page</h1>
<p>Do not include personal information like your name, contact details or card numbers.</p>
<form method="post" action="/feedback" novalidate>
  {csrf_input(ctx)}
  {hidden_inputs({"service": service, "page": page})}
  {radio_field("useful", "Is this page useful?", [("yes", "Yes"), ("no", "No")])}
  {
        text_field(
            "went-wrong",
            "What went wrong? (optional)",
            textarea=True,
            hint="Please do not include personal information.",
        )
    }
  <button type="submit" class="button">Send feedback</button>
</form>
"""
    return layout(ctx, page="Page feedback", content=content, service=None, crumbs=[HOME_CRUMB])


# ===== report-a-pothole ===================================================================

POTHOLE = "report-a-pothole"
POTHOLE_CRUMBS = [HOME_CRUMB, ("Roads and pavements", "/report-a-pothole")]
#: A PDF residents meet on the "Report a pothole" journey (linked from its start page).
REPAIR_STANDARDS = "/report-a-pothole/road-repair-standards.pdf"
POTHOLE_FIELDS = ("street", "town", "description", "size", "danger", "nearest-house")
SIZES = [
    ("small", "Smaller than a dinner plate"),
    ("medium", "About the size of a dinner plate"),
    ("large", "Bigger than a dinner plate"),
]


def _pothole_state(ctx: Ctx) -> dict[str, str]:
    return {name: ctx.value(name) for name in POTHOLE_FIELDS}


def pothole_start(ctx: Ctx) -> Response:
    if ctx.active("pothole-image-alt"):
        image = '<img src="/static/pothole.png" id="pothole-photo" width="480" height="270">'
    else:
        image = (
            '<img src="/static/pothole.png" id="pothole-photo" width="480" height="270" '
            'alt="A deep pothole full of rainwater in the middle of a residential road">'
        )
    content = f"""
<h1>Report a pothole</h1>
<p class="lede">Tell us about a pothole on a road, pavement or cycle path that the council
looks after.</p>
<p>A pothole is a hole in the road surface that is deeper than 40mm (about the thickness of
a matchbox) and wider than 300mm.</p>
<p>Photo of a typical pothole that we would repair:</p>
<p>{image}</p>
<p>Use this service to report:</p>
<ul>
  <li>potholes in roads, pavements and cycle paths</li>
  <li>sunken or raised road surfaces</li>
  <li>damaged or missing drain covers</li>
</ul>
<p>It takes around 5 minutes. You will get a reference number so you can track the
repair.</p>
<p>Read our <a href="{REPAIR_STANDARDS}">road repair standards (PDF, 3 KB)</a> to see which
potholes we repair and how quickly.</p>
{start_button("/report-a-pothole/location")}
<h2>Before you start</h2>
<p>You will need to tell us where the pothole is, such as the street name and the nearest
house number or landmark.</p>
<div class="inset"><p>If the pothole is dangerous, for example it has caused an accident or
is on a busy junction, call us now on 03000 41 81 81 (24 hours) instead.</p></div>
<h2>What happens next</h2>
<p>An inspector will visit within 5 working days. We repair dangerous potholes within 24
hours and other potholes within 28 days.</p>
<p>You can also read about our winter road repair programme on the
<a href="/">home page</a>.</p>
"""
    return layout(
        ctx, page="Report a pothole", content=content, service=POTHOLE, crumbs=[HOME_CRUMB]
    )


def pothole_location(ctx: Ctx) -> Response:
    state = _pothole_state(ctx)
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        if not state["street"]:
            errors["street"] = "Enter the name of the street where the pothole is"
        if not state["description"]:
            errors["description"] = "Describe where the pothole is"
        if not errors:
            return redirect(with_query("/report-a-pothole/details", state))
    carried = {k: v for k, v in state.items() if k not in ("street", "town", "description")}
    content = f"""
{error_summary(errors)}
<h1>Where is the pothole?</h1>
<form method="post" action="/report-a-pothole/location" novalidate>
  {csrf_input(ctx)}
  {hidden_inputs({k: v for k, v in carried.items() if v})}
  {
        text_field(
            "street", "Street name", state["street"], errors=errors, autocomplete="address-line1"
        )
    }
  {
        text_field(
            "town",
            "Town or village (optional)",
            state["town"],
            errors=errors,
            autocomplete="address-level2",
            css="input--short",
        )
    }
  {
        text_field(
            "description",
            "Describe where the pothole is",
            state["description"],
            errors=errors,
            textarea=True,
            hint="For example, outside the post office, in the left-hand lane.",
        )
    }
  <button type="submit" class="button">Continue</button>
</form>
"""
    return layout(
        ctx,
        page="Where is the pothole?",
        content=content,
        service=POTHOLE,
        crumbs=POTHOLE_CRUMBS,
        error=bool(errors),
        before_main=back_link("/report-a-pothole"),
    )


def pothole_details(ctx: Ctx) -> Response:
    state = _pothole_state(ctx)
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        if state["size"] not in {value for value, _ in SIZES}:
            errors["size"] = "Select how big the pothole is"
        if not errors:
            return redirect(with_query("/report-a-pothole/check-answers", state))
    if ctx.active("pothole-details-label"):
        house_caption = '<p class="label">House number or name nearest the pothole (optional)</p>'
    else:
        house_caption = (
            '<label for="pothole-nearest-house">House number or name nearest the pothole '
            "(optional)</label>"
        )
    carried = {k: v for k, v in state.items() if k in ("street", "town", "description")}
    content = f"""
{error_summary(errors)}
<h1>Tell us about the pothole</h1>
<form method="post" action="/report-a-pothole/details" novalidate>
  {csrf_input(ctx)}
  {hidden_inputs(carried)}
  {radio_field("size", "How big is the pothole?", SIZES, state["size"], errors=errors)}
  {
        radio_field(
            "danger",
            "Is anyone at risk of injury right now?",
            [("yes", "Yes"), ("no", "No"), ("not-sure", "I'm not sure")],
            state["danger"],
            hint="For example, a cyclist could fall into it.",
        )
    }
  <div class="form-group">
    {house_caption}
    <input type="text" id="pothole-nearest-house" name="nearest-house" class="input--short"
      value="{esc(state["nearest-house"])}">
  </div>
  <button type="submit" class="button">Continue</button>
</form>
"""
    return layout(
        ctx,
        page="Tell us about the pothole",
        content=content,
        service=POTHOLE,
        crumbs=POTHOLE_CRUMBS,
        error=bool(errors),
        before_main=back_link(with_query("/report-a-pothole/location", state)),
    )


def pothole_check(ctx: Ctx) -> Response:
    state = _pothole_state(ctx)
    if ctx.method == "POST":
        return redirect(
            with_query("/report-a-pothole/confirmation", {"ref": reference("POT", state)})
        )
    size_label = dict(SIZES).get(state["size"], "Not answered")
    danger_label = {"yes": "Yes", "no": "No", "not-sure": "I'm not sure"}.get(
        state["danger"], "Not answered"
    )
    rows = [
        (
            "Street name",
            state["street"] or "Not answered",
            "/report-a-pothole/location",
            "street name",
        ),
        (
            "Town or village",
            state["town"] or "Not answered",
            "/report-a-pothole/location",
            "town or village",
        ),
        (
            "Where it is",
            state["description"] or "Not answered",
            "/report-a-pothole/location",
            "where the pothole is",
        ),
        ("Size", size_label, "/report-a-pothole/details", "size"),
        ("Risk of injury", danger_label, "/report-a-pothole/details", "risk of injury"),
        (
            "Nearest house",
            state["nearest-house"] or "Not answered",
            "/report-a-pothole/details",
            "nearest house",
        ),
    ]
    row_html = "".join(
        f'<div class="row"><dt>{esc(key)}</dt><dd>{esc(value)}</dd>'
        f'<dd class="actions"><a href="{esc(with_query(href, state))}">Change'
        f'<span class="visually-hidden"> {esc(hidden)}</span></a></dd></div>'
        for key, value, href, hidden in rows
    )
    content = f"""
<h1>Check your answers before sending your report</h1>
<dl class="summary-list">{row_html}</dl>
<h2>Now send your report</h2>
<p>By sending this report you are confirming that, to the best of your knowledge, the
details you are providing are correct.</p>
<form method="post" action="/report-a-pothole/check-answers" novalidate>
  {csrf_input(ctx)}
  {hidden_inputs(state)}
  <button type="submit" class="button">Accept and send</button>
</form>
"""
    return layout(
        ctx,
        page="Check your answers",
        content=content,
        service=POTHOLE,
        crumbs=POTHOLE_CRUMBS,
        before_main=back_link(with_query("/report-a-pothole/details", state)),
    )


def pothole_confirmation(ctx: Ctx) -> Response:
    ref = ctx.value("ref")
    if not (ref.startswith("POT-") and ref[4:].isdigit() and len(ref) == 10):
        ref = reference("POT", {})
    content = f"""
<div class="panel">
  <h1>Pothole reported</h1>
  <p>Your reference number<br><strong>{esc(ref)}</strong></p>
</div>
<h2>What happens next</h2>
<p>An inspector will visit the pothole within 5 working days. If it meets our criteria we
will repair it within 28 days, or within 24 hours if it is dangerous.</p>
<p>Keep your reference number. You will need it if you contact us about this report.</p>
<p><a href="/report-a-pothole">Report another pothole</a></p>
"""
    return layout(
        ctx, page="Pothole reported", content=content, service=POTHOLE, crumbs=POTHOLE_CRUMBS
    )


# ===== apply-for-a-blue-badge ============================================================

BADGE = "apply-for-a-blue-badge"
BADGE_CRUMBS = [HOME_CRUMB, ("Blue Badges", "/apply-for-a-blue-badge")]
BADGE_QUESTIONS = (
    (
        "mobility",
        "Do you get the higher rate of the mobility component of Disability Living "
        "Allowance (DLA)?",
    ),
    (
        "pip",
        "Did you score 8 points or more in the 'moving around' activity of Personal "
        "Independence Payment (PIP)?",
    ),
    ("blind", "Are you registered as severely sight impaired (blind)?"),
)
YES_NO = [("yes", "Yes"), ("no", "No")]


def badge_start(ctx: Ctx) -> Response:
    if ctx.active("blue-badge-color-contrast"):
        note = (
            '<p id="blue-badge-processing-note" style="color: #1d5fa8">It can take up to '
            "12 weeks to process an application after we receive all your documents.</p>"
        )
    else:
        note = (
            '<p id="blue-badge-processing-note">It can take up to 12 weeks to process an '
            "application after we receive all your documents.</p>"
        )
    content = f"""
<h1>Apply for a Blue Badge</h1>
<p class="lede">A Blue Badge lets you park closer to where you need to go if you are
disabled or have a health condition that affects your mobility.</p>
<p>You can apply for yourself, for someone else or on behalf of an organisation that
transports disabled people.</p>
<p>A Blue Badge costs up to &pound;10 and lasts up to 3 years.</p>
<div class="callout">
  <h2>Before you start</h2>
  <p>You will need a recent digital photo of the person applying, their National Insurance
  number and proof of identity and address.</p>
  {note}
</div>
<p>First, check whether you are likely to be eligible. It takes about 2 minutes.</p>
{start_button("/apply-for-a-blue-badge/eligibility", "Check if you are eligible")}
<h2>Already applied?</h2>
<p><a href="/apply-for-a-blue-badge/status">Check the status of your application</a></p>
<h2>Using your Blue Badge</h2>
<p>You must display your badge on the dashboard of the vehicle, with the hologram facing
up, whenever you use a disabled parking space. You can be fined up to &pound;1,000 if you
misuse a badge.</p>
"""
    return layout(
        ctx, page="Apply for a Blue Badge", content=content, service=BADGE, crumbs=[HOME_CRUMB]
    )


HELP_ICON = (
    '<svg aria-hidden="true" focusable="false" width="24" height="24" viewBox="0 0 24 24">'
    '<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2"/>'
    '<path d="M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14" fill="none" '
    'stroke="currentColor" stroke-width="2"/><circle cx="12" cy="17.5" r="1.2" '
    'fill="currentColor"/></svg>'
)

HELP_SCRIPT = """
(function () {
  var button = document.getElementById('eligibility-help-button');
  var panel = document.getElementById('eligibility-help');
  if (!button || !panel) { return; }
  button.addEventListener('click', function () {
    var open = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', open ? 'false' : 'true');
    panel.hidden = open;
  });
})();
"""


def badge_eligibility(ctx: Ctx) -> Response:
    answers = {name: ctx.value(name) for name, _ in BADGE_QUESTIONS}
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        for name, _question in BADGE_QUESTIONS:
            if answers[name] not in ("yes", "no"):
                errors[name] = "Select yes or no"
        if not errors:
            eligible = "yes" if "yes" in answers.values() else "no"
            return redirect(f"/apply-for-a-blue-badge/result?eligible={eligible}")
    label = (
        ""
        if ctx.active("blue-badge-button-name")
        else '<span class="visually-hidden">Help with these questions</span>'
    )
    questions = "".join(
        radio_field(name, question, YES_NO, answers[name], errors=errors)
        for name, question in BADGE_QUESTIONS
    )
    content = f"""
{error_summary(errors)}
<h1>Check if you are likely to be eligible</h1>
<p>Answer these questions about the person who needs the badge.
<button type="button" id="eligibility-help-button" class="icon-button" aria-expanded="false"
  aria-controls="eligibility-help">{HELP_ICON}{label}</button></p>
<div id="eligibility-help" class="inset" hidden>
  <p>You can find these details on the award letter from the Department for Work and
  Pensions. If you are not sure, answer no: you can still apply.</p>
</div>
<form method="post" action="/apply-for-a-blue-badge/eligibility" novalidate>
  {csrf_input(ctx)}
  {questions}
  <button type="submit" class="button">Continue</button>
</form>
"""
    return layout(
        ctx,
        page="Check if you are likely to be eligible",
        content=content,
        service=BADGE,
        crumbs=BADGE_CRUMBS,
        error=bool(errors),
        before_main=back_link("/apply-for-a-blue-badge"),
        scripts=f'<script nonce="{esc(ctx.nonce)}">{HELP_SCRIPT}</script>',
    )


def badge_result(ctx: Ctx) -> Response:
    if ctx.value("eligible") == "yes":
        heading = "You are likely to be eligible"
        body = """
<p>Based on your answers, you are likely to get a Blue Badge without a further
assessment.</p>
<p>To apply you will need a digital photo, proof of identity and proof of address.</p>
"""
    else:
        heading = "You are unlikely to be eligible"
        body = """
<p>Based on your answers, you will not get a Blue Badge automatically.</p>
<p>You can still apply. We may ask you to have a mobility assessment, or to send evidence
from a health professional about how your condition affects your walking.</p>
"""
    content = f"""
<h1>{heading}</h1>
{body}
<p><a href="/apply-for-a-blue-badge/eligibility">Change your answers</a></p>
<p><a href="/apply-for-a-blue-badge">Return to Apply for a Blue Badge</a></p>
"""
    return layout(ctx, page=heading, content=content, service=BADGE, crumbs=BADGE_CRUMBS)


def badge_status(ctx: Ctx) -> Response:
    if ctx.active("blue-badge-status-500"):
        return server_error(ctx, BADGE)
    content = """
<h1>Check the status of your application</h1>
<p>We are processing applications received up to 12 September 2026.</p>
<p>We will email you when we have made a decision. If you have not heard from us within
12 weeks of applying, call us on 03000 41 41 41.</p>
<p><a href="/apply-for-a-blue-badge">Return to Apply for a Blue Badge</a></p>
"""
    return layout(
        ctx,
        page="Check the status of your application",
        content=content,
        service=BADGE,
        crumbs=BADGE_CRUMBS,
    )


# ===== school-admissions =================================================================

SCHOOLS = "school-admissions"
SCHOOL_CRUMBS = [HOME_CRUMB, ("Schools", "/school-admissions")]
GUIDE = "/documents/admissions-guide.pdf"


def _school_layout(ctx: Ctx, defect_prefix: str, **kwargs: Any) -> Response:
    """School pages have no skip link while their ``*-skip-link`` defect is active; their
    footer's statement link is added by script."""
    return layout(
        ctx,
        service=SCHOOLS,
        skip_link=not ctx.active(f"{defect_prefix}-skip-link"),
        statement_by_script=True,
        **kwargs,
    )


def school_start(ctx: Ctx) -> Response:
    if ctx.active("school-broken-link-appeals"):
        appeals = '<a href="/school-admissions/appeals-2019">Read the appeals timetable</a>'
    else:
        appeals = '<a href="/school-admissions#appeals">Read the appeals timetable</a>'
    content = f"""
<h1>School admissions</h1>
<p class="lede">Apply for a place at a primary, junior or secondary school in the county.</p>
<p>You must apply to the council where you live, even if the schools you want are in a
different area.</p>
<h2>Apply for a school place</h2>
<ul class="link-list">
  <li><a href="/school-admissions/primary">Primary and junior school places</a></li>
  <li><a href="/school-admissions/secondary">Secondary school places</a></li>
  <li><a href="/school-admissions/term-dates">School term dates</a></li>
  <li><a href="/school-admissions/catchment-map">School catchment areas map</a></li>
  <li><a href="/school-admissions/apply/child">Apply online for a school place</a></li>
</ul>
<h2>Admissions guide</h2>
<p>Our admissions guide explains the rules we use to offer places.</p>
<p><a href="{GUIDE}">School admissions guide 2026 to 2027 (PDF, 3 KB)</a></p>
<h2 id="appeals">Appeals</h2>
<p>If your child is refused a place, you can appeal to an independent panel. You must
lodge your appeal within 20 school days of the date of your refusal letter. {appeals}.</p>
<h2>In-year admissions</h2>
<p>To move school during the school year, apply directly to the school you want your child
to attend.</p>
"""
    response = _school_layout(
        ctx, "school-start", page="School admissions", content=content, crumbs=[HOME_CRUMB]
    )
    # The start page answers more slowly than the pages it links to, as busy start pages
    # do: nothing judged across pages may depend on which page finishes first.
    response.delay = ctx.slow_seconds
    return response


APPLY_TITLE = "Apply for a school place"
APPLY_STEPS = (
    ("child", "What is your child's name?", "child-name", "Full name", "name"),
    ("address", "What is your child's home address?", "child-address", "Address", "street-address"),
    ("schools", "Which schools would you like to apply for?", "schools", "First preference", "off"),
)


def _apply_step(index: int) -> Handler:
    """One question of the online application. Every step has the same page title, as many
    multi-page forms do (a seeded 2.4.2 defect, judged across the service's pages)."""
    slug, question, field, label, autocomplete = APPLY_STEPS[index]
    following = APPLY_STEPS[index + 1][0] if index + 1 < len(APPLY_STEPS) else None
    action = f"/school-admissions/apply/{following}" if following else "/school-admissions"
    back = (
        f"/school-admissions/apply/{APPLY_STEPS[index - 1][0]}" if index else "/school-admissions"
    )

    def page(ctx: Ctx) -> Response:
        shared = ctx.active(f"school-apply-{slug}-title")
        content = f"""
{back_link(back)}
<form method="get" action="{action}" novalidate>
  <h1><label for="{field}">{esc(question)}</label></h1>
  <p class="hint" id="{field}-hint">{esc(label)}, as it appears on official documents.</p>
  <input class="input" id="{field}" name="{field}" type="text" autocomplete="{autocomplete}"
    aria-describedby="{field}-hint">
  <p><button type="submit" class="button">Continue</button></p>
</form>
<p>Step {index + 1} of {len(APPLY_STEPS)}.</p>
"""
        return _school_layout(
            ctx,
            f"school-apply-{slug}",
            page=APPLY_TITLE if shared else f"{question} - {APPLY_TITLE}",
            content=content,
            crumbs=[HOME_CRUMB, ("School admissions", "/school-admissions")],
        )

    return page


DOWNLOAD_ICON = (
    '<svg aria-hidden="true" focusable="false" width="28" height="28" viewBox="0 0 24 24">'
    '<path d="M12 3v12m0 0l-5-5m5 5l5-5M4 19h16" fill="none" stroke="currentColor" '
    'stroke-width="2"/></svg>'
)


def school_primary(ctx: Ctx) -> Response:
    name = (
        ""
        if ctx.active("school-primary-link-name")
        else '<span class="visually-hidden">Download the admissions guide (PDF)</span>'
    )
    content = f"""
<h1>Primary and junior school places</h1>
<p class="lede">Apply for a place at a primary, infant or junior school for September
2027.</p>
<h2>Who can apply</h2>
<p>Children born between 1 September 2022 and 31 August 2023 can start primary school in
September 2027.</p>
<h2>Key dates</h2>
<table>
  <caption>Primary admissions timetable 2027</caption>
  <thead><tr><th scope="col">What happens</th><th scope="col">Date</th></tr></thead>
  <tbody>
    <tr><td>Applications open</td><td>1 November 2026</td></tr>
    <tr><td>Closing date</td><td>15 January 2027</td></tr>
    <tr><td>Offers sent</td><td>16 April 2027</td></tr>
  </tbody>
</table>
<h2>How places are offered</h2>
<p>Each school has oversubscription criteria: usually children in care first, then
siblings, then distance from home to school.</p>
<p>Read the full rules in the admissions guide.
<a href="{GUIDE}" id="primary-guide-download" class="icon-link">{DOWNLOAD_ICON}{name}</a></p>
<p><a href="/school-admissions">Back to school admissions</a></p>
"""
    return _school_layout(
        ctx,
        "school-primary",
        page="Primary and junior school places",
        content=content,
        crumbs=SCHOOL_CRUMBS,
    )


def school_secondary(ctx: Ctx) -> Response:
    content = f"""
<h1>Secondary school places</h1>
<p class="lede">Apply for a place at a secondary school for September 2027.</p>
<p>Children born between 1 September 2015 and 31 August 2016 start secondary school in
September 2027.</p>
<h2>Key dates</h2>
<table>
  <caption>Secondary admissions timetable 2027</caption>
  <thead><tr><th scope="col">What happens</th><th scope="col">Date</th></tr></thead>
  <tbody>
    <tr><td>Applications open</td><td>1 September 2026</td></tr>
    <tr><td>Closing date</td><td>31 October 2026</td></tr>
    <tr><td>Offers sent</td><td>1 March 2027</td></tr>
  </tbody>
</table>
<h2>Grammar schools</h2>
<p>If you want your child to be considered for a grammar school they must take the
test in September of year 6. Register for the test by 1 July 2026.</p>
<h2>Admissions guide</h2>
<p><a href="{GUIDE}">School admissions guide 2026 to 2027 (PDF, 3 KB)</a></p>
<p><a href="/school-admissions">Back to school admissions</a></p>
"""
    return _school_layout(
        ctx,
        "school-secondary",
        page="Secondary school places",
        content=content,
        crumbs=SCHOOL_CRUMBS,
        lang=not ctx.active("school-secondary-html-lang"),
    )


def school_term_dates(ctx: Ctx) -> Response:
    content = """
<h1>School term dates</h1>
<p>Term dates for community and voluntary controlled schools. Academies, free schools and
foundation schools may set different dates.</p>
<table>
  <caption>Term dates for the 2026 to 2027 school year</caption>
  <thead>
    <tr><th scope="col">Term</th><th scope="col">Starts</th><th scope="col">Ends</th></tr>
  </thead>
  <tbody>
    <tr><td>Autumn</td><td>3 September 2026</td><td>18 December 2026</td></tr>
    <tr><td>Spring</td><td>4 January 2027</td><td>26 March 2027</td></tr>
    <tr><td>Summer</td><td>12 April 2027</td><td>21 July 2027</td></tr>
  </tbody>
</table>
<p>Half-term holidays are 26 to 30 October 2026, 15 to 19 February 2027 and 31 May to
4 June 2027.</p>
<p><a href="/school-admissions">Back to school admissions</a></p>
"""
    response = _school_layout(
        ctx, "school-term-dates", page="School term dates", content=content, crumbs=SCHOOL_CRUMBS
    )
    if ctx.active("school-term-dates-slow"):
        response.delay = ctx.slow_seconds
    return response


MAP_SVG = """<svg viewBox="0 0 640 360" aria-hidden="true" focusable="false">
<rect width="640" height="360" fill="#f3f2f1"/>
<g fill="#ffffff" stroke="#1d3f6e" stroke-width="3">
<path d="M40 60 L260 30 L300 170 L120 220 Z"/>
<path d="M300 170 L260 30 L520 50 L600 200 Z"/>
<path d="M120 220 L300 170 L600 200 L560 330 L90 320 Z"/>
</g>
<circle id="catchment-marker" cx="320" cy="180" r="10" fill="#d4351c"/>
</svg>"""

MAP_SCRIPT = """
(function () {
  var map = document.getElementById('catchment-map');
  var marker = document.getElementById('catchment-marker');
  var x = 320, y = 180;
  map.addEventListener('keydown', function (event) {
    var step = 20;
    if (event.key === 'ArrowLeft') { x -= step; }
    else if (event.key === 'ArrowRight') { x += step; }
    else if (event.key === 'ArrowUp') { y -= step; }
    else if (event.key === 'ArrowDown') { y += step; }
    else { return; }
    event.preventDefault();
    marker.setAttribute('cx', String(x));
    marker.setAttribute('cy', String(y));
  });
})();
"""

# The deliberate keyboard trap: once the map has focus, Tab and Shift+Tab never leave it.
MAP_TRAP_SCRIPT = """
(function () {
  var map = document.getElementById('catchment-map');
  map.addEventListener('keydown', function (event) {
    if (event.key === 'Tab') { event.preventDefault(); map.focus(); }
  });
})();
"""


def school_catchment_map(ctx: Ctx) -> Response:
    trap = ""
    if ctx.active("school-catchment-keyboard-trap"):
        trap = (
            f'<script nonce="{esc(ctx.nonce)}" id="catchment-map-focus-trap">'
            f"{MAP_TRAP_SCRIPT}</script>"
        )
    content = f"""
<h1>School catchment areas map</h1>
<p>The map shows the areas from which each secondary school admitted children last year.
Select the map and use the arrow keys to move the marker to your home.</p>
<div id="catchment-map" class="catchment-map" tabindex="0" role="application"
  aria-label="Map of school catchment areas">
{MAP_SVG}
</div>
<h2>Catchment areas as text</h2>
<ul>
  <li>North area: Exampleton Grammar School, Northfield Academy</li>
  <li>East area: Eastbrook School, Riverside College</li>
  <li>South area: Southgate High School, Downs School</li>
</ul>
<p>Living in a catchment area does not guarantee a place. Read the admissions guide for
the full rules: <a href="{GUIDE}">School admissions guide 2026 to 2027 (PDF, 3 KB)</a>.</p>
<p><a href="/school-admissions">Back to school admissions</a></p>
"""
    scripts = f'<script nonce="{esc(ctx.nonce)}">{MAP_SCRIPT}</script>{trap}'
    return _school_layout(
        ctx,
        "school-catchment-map",
        page="School catchment areas map",
        content=content,
        crumbs=SCHOOL_CRUMBS,
        scripts=scripts,
    )


# ===== join-the-library (the clean control) ============================================

LIBRARY = "join-the-library"
LIBRARY_CRUMBS = [HOME_CRUMB, ("Libraries", "/join-the-library")]
BRANCHES = [
    ("", "Choose a library"),
    ("exampleton", "Exampleton Central Library"),
    ("northfield", "Northfield Library"),
    ("eastbrook", "Eastbrook Library"),
    ("southgate", "Southgate Library"),
    ("mobile", "Mobile library service"),
]


def library_start(ctx: Ctx) -> Response:
    content = f"""
<h1>Join the library</h1>
<p class="lede">Library membership is free for everyone who lives, works or studies in the
county.</p>
<p>With a library card you can:</p>
<ul>
  <li>borrow up to 20 books, audiobooks and DVDs at a time</li>
  <li>download e-books, e-audiobooks, e-magazines and newspapers</li>
  <li>use the computers and free wifi in every library</li>
  <li>reserve books from any library in the county</li>
</ul>
<p>It takes about 3 minutes to join. You can use your card number straight away to borrow
e-books.</p>
{start_button("/join-the-library/apply")}
<h2>Other ways to join</h2>
<p>You can also join at any library. Bring something with your name and address on it.</p>
<p>Call {PHONE} if you need help joining.</p>
"""
    return layout(
        ctx, page="Join the library", content=content, service=LIBRARY, crumbs=[HOME_CRUMB]
    )


def library_apply(ctx: Ctx) -> Response:
    values = {name: ctx.value(name) for name in ("full-name", "email", "branch", "terms")}
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        if not values["full-name"]:
            errors["full-name"] = "Enter your full name"
        if "@" not in values["email"] or "." not in values["email"].rsplit("@", 1)[-1]:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
        if values["branch"] not in {value for value, _ in BRANCHES if value}:
            errors["branch"] = "Choose your nearest library"
        if values["terms"] != "agree":
            errors["terms"] = "Confirm that you agree to the library rules"
        if not errors:
            number = reference("LIB", {k: v for k, v in values.items() if k != "terms"})
            return redirect(with_query("/join-the-library/confirmation", {"card": number}))
    branch_error = errors.get("branch")
    options = "".join(
        f'<option value="{esc(value)}"{" selected" if values["branch"] == value else ""}>'
        f"{esc(text)}</option>"
        for value, text in BRANCHES
    )
    branch_describedby = ' aria-describedby="branch-error"' if branch_error else ""
    branch_invalid = ' aria-invalid="true"' if branch_error else ""
    branch_message = (
        f'<p class="error-message" id="branch-error"><span class="visually-hidden">Error:'
        f"</span> {esc(branch_error)}</p>"
        if branch_error
        else ""
    )
    terms_error = errors.get("terms")
    terms_message = (
        f'<p class="error-message" id="terms-error"><span class="visually-hidden">Error:'
        f"</span> {esc(terms_error)}</p>"
        if terms_error
        else ""
    )
    terms_describedby = ' aria-describedby="terms-error"' if terms_error else ""
    checked = " checked" if values["terms"] == "agree" else ""
    content = f"""
{error_summary(errors)}
<h1>Your details</h1>
<form method="post" action="/join-the-library/apply" novalidate>
  {csrf_input(ctx)}
  {
        text_field(
            "full-name",
            "Full name",
            values["full-name"],
            errors=errors,
            autocomplete="name",
            spellcheck=False,
        )
    }
  {
        text_field(
            "email",
            "Email address",
            values["email"],
            errors=errors,
            autocomplete="email",
            input_type="email",
            spellcheck=False,
            hint="We will send your library card number to this address.",
        )
    }
  <div class="form-group{" form-group--error" if branch_error else ""}">
    <label for="branch">Your nearest library</label>
    {branch_message}
    <select id="branch" name="branch"{branch_describedby}{branch_invalid}>{options}</select>
  </div>
  <div class="form-group{" form-group--error" if terms_error else ""}">
    <fieldset{terms_describedby}>
      <legend>Library rules</legend>
      <p class="hint">You are responsible for items borrowed on your card. There are no
      fines for returning books late.</p>
      {terms_message}
      <div class="choice"><input type="checkbox" id="terms" name="terms" value="agree"{checked}>
      <label for="terms">I agree to the library rules</label></div>
    </fieldset>
  </div>
  <button type="submit" class="button">Join the library</button>
</form>
"""
    return layout(
        ctx,
        page="Your details",
        content=content,
        service=LIBRARY,
        crumbs=LIBRARY_CRUMBS,
        error=bool(errors),
        before_main=back_link("/join-the-library"),
    )


def library_confirmation(ctx: Ctx) -> Response:
    card = ctx.value("card")
    if not (card.startswith("LIB-") and card[4:].isdigit() and len(card) == 10):
        card = reference("LIB", {})
    content = f"""
<div class="panel">
  <h1>You have joined the library</h1>
  <p>Your library card number<br><strong>{esc(card)}</strong></p>
</div>
<p>We have sent your card number to your email address.</p>
<h2>What happens next</h2>
<p>You can borrow e-books and e-audiobooks straight away. Collect your plastic card from the
library you chose: bring something with your name and address on it.</p>
<p><a href="/join-the-library">Return to Join the library</a></p>
"""
    return layout(
        ctx,
        page="You have joined the library",
        content=content,
        service=LIBRARY,
        crumbs=LIBRARY_CRUMBS,
    )


# ----- route table of the main host (HTML pages only; files are served by the site) ----

MAIN_PAGES: dict[str, Handler] = {
    "/": home,
    "/accessibility-statement": accessibility_statement,
    "/privacy": privacy,
    "/cookies": cookies,
    "/contact": contact,
    "/private/staff-only": staff_only,
    "/feedback": feedback_page,
    "/report-a-pothole": pothole_start,
    "/report-a-pothole/location": pothole_location,
    "/report-a-pothole/details": pothole_details,
    "/report-a-pothole/check-answers": pothole_check,
    "/report-a-pothole/confirmation": pothole_confirmation,
    "/apply-for-a-blue-badge": badge_start,
    "/apply-for-a-blue-badge/eligibility": badge_eligibility,
    "/apply-for-a-blue-badge/result": badge_result,
    "/apply-for-a-blue-badge/status": badge_status,
    "/school-admissions": school_start,
    "/school-admissions/primary": school_primary,
    "/school-admissions/secondary": school_secondary,
    "/school-admissions/term-dates": school_term_dates,
    "/school-admissions/catchment-map": school_catchment_map,
    **{
        f"/school-admissions/apply/{step[0]}": _apply_step(index)
        for index, step in enumerate(APPLY_STEPS)
    },
    "/join-the-library": library_start,
    "/join-the-library/apply": library_apply,
    "/join-the-library/confirmation": library_confirmation,
}


__all__ = ["BRAND", "MAIN_PAGES", "Brand", "Errors", "FooterLink", "Palette", "layout"]
