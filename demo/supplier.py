"""The supplier host: "Pay a parking fine", run for the council by ParkRight Services.

The pages are accessible but their branding has drifted from the council's: another logo,
off-palette colours, another typeface, footer links missing and another title pattern. Each
aspect of each page is a separate manifest defect (``parking-<page>-<rule>``); fixing one
makes that page use the council's value for that aspect only.
"""

from __future__ import annotations

import json

from demo.common import (
    Ctx,
    Handler,
    Response,
    csrf_input,
    error_summary,
    esc,
    redirect,
    reference,
    text_field,
    with_query,
)
from demo.pages import (
    ANALYTICS_SCRIPT,
    BRAND,
    COOKIE_SCRIPT,
    ICON_SPRITE,
    cookie_banner,
    extra_paragraph,
    feedback_slot,
    head_extras,
)
from demo.pages import feedback_script as council_feedback_script

SERVICE = "pay-a-parking-fine"
SUPPLIER_NAME = "ParkRight Services"

SUPPLIER_BRAND = {
    "name": SUPPLIER_NAME,
    "logo_path": "/static/supplier-logo.png",
    "logo_alt": "ParkRight Services",
    "header": "#e4007c",
    "button": "#6f2da8",
    "typeface": "Georgia, serif",
    "title_pattern": "{page} | ParkRight Services",
    "stylesheet": "/static/parkright.css",
}

# Overrides a page gets once its palette or typeface drift is fixed: the council's values.
_P = BRAND.palette
PALETTE_FIX = f"""
body {{ color: {_P.text}; background-color: {_P.background}; }}
h1, h2, h3, legend, label {{ color: {_P.text}; }}
a {{ color: {_P.link}; }}
a:visited {{ color: {_P.link_visited}; }}
.pr-header {{ background-color: {_P.primary}; color: {_P.header_text}; }}
.pr-header a, .pr-header a:visited, .pr-header .pr-service {{ color: {_P.header_text}; }}
.pr-button, .pr-button:visited, button.pr-button {{ background-color: {_P.button};
  color: {_P.button_text}; }}
.pr-button--secondary, .pr-button--secondary:visited {{
  background-color: {_P.secondary_background}; color: {_P.text}; }}
.cookie-banner, .pr-footer, .dx-feedback {{ background-color: {_P.secondary_background};
  color: {_P.text}; }}
.pr-notice {{ border-left-color: {_P.primary}; background-color: {_P.secondary_background}; }}
.pr-error-message, .pr-error-summary a, .pr-error-summary a:visited {{ color: {_P.error}; }}
.pr-error-summary {{ border-color: {_P.error}; }}
.pr-field--error {{ border-left-color: {_P.error}; }}
.skip-link:focus {{ background-color: {_P.focus}; color: {_P.text}; }}
.pr-hint {{ color: {_P.text}; }}
input[type="text"], input[type="email"] {{ color: {_P.text}; border-color: {_P.text}; }}
a:focus, button:focus, input:focus, select:focus {{ outline-color: {_P.focus}; }}
"""
TYPEFACE_FIX = f"""
body, h1, h2, h3, legend, label, input, button, .pr-button {{
  font-family: {BRAND.body_typeface}; }}
"""

PARKRIGHT_ORGANISATION = {
    "@type": "Organization",
    "name": "ParkRight Services Ltd",
    "description": "Parking enforcement and payments for local authorities",
    "address": {
        "@type": "PostalAddress",
        "streetAddress": "Unit 4, Example Business Park",
        "addressLocality": "Exampleton",
        "postalCode": "EX3 9ZZ",
        "addressCountry": "GB",
    },
}

# What the supplier's platform puts in every page for its own scripts.
PLATFORM_CONFIG = json.dumps(
    {
        "tenant": "example-county-council",
        "tenantName": "Example County Council",
        "product": "ParkRight Pay",
        "productVersion": "7.4.2",
        "locale": "en-GB",
        "currency": "GBP",
        "features": {
            "discountWindowDays": 14,
            "challengeOnline": False,
            "savedCards": False,
            "receiptsByEmail": True,
            "welshLanguage": False,
        },
        "paymentProvider": {"name": "demo", "mode": "test", "chargesCards": False},
        "support": {"phone": "03000 41 22 22", "hours": "24 hours, automated"},
    },
    indent=1,
)

HELP_BLOCK = """
<div class="pr-help">
  <h2>Help with paying a penalty charge notice</h2>
  <p>If you have a problem paying online, call the automated payment line on 03000 41 22 22.
  It is open 24 hours a day, 7 days a week. Have your PCN number and your card ready.</p>
  <p>You can pay with Visa, Mastercard and Maestro debit or credit cards. We do not accept
  American Express. There is no charge for paying by card.</p>
  <p>If you pay within 14 days of the date the PCN was issued, you pay the discounted
  amount of &pound;35.00. After 14 days you must pay the full charge of &pound;70.00. If you
  do not pay within 28 days we may send you a charge certificate, which increases the amount
  you owe by 50%.</p>
  <p>You cannot pay a PCN that has been registered as a debt at the Traffic Enforcement
  Centre online: call us instead.</p>
</div>
"""

# (page key used in defect ids, supplier title, council page name)
PAGES: dict[str, tuple[str, str, str]] = {
    "/pay-a-parking-fine": ("start", "Pay your PCN", "Pay a parking fine"),
    "/pay-a-parking-fine/find": ("find", "Find your PCN", "Find your penalty charge notice"),
    "/pay-a-parking-fine/pay": ("pay", "Card details", "Enter your card details"),
}


def defect_id(page_key: str, rule: str) -> str:
    return f"parking-{page_key}-{rule}"


def supplier_layout(
    ctx: Ctx,
    *,
    content: str,
    page_key: str | None,
    supplier_page: str,
    council_page: str,
    service: str | None = SERVICE,
    error: bool = False,
    status: int = 200,
) -> Response:
    def drift(rule: str) -> bool:
        return page_key is None or ctx.active(defect_id(page_key, rule))

    if drift("title-pattern"):
        title = SUPPLIER_BRAND["title_pattern"].format(page=supplier_page)
    else:
        title = BRAND.title(council_page)
    if error:
        title = "Error: " + title
    overrides = ("" if drift("palette") else PALETTE_FIX) + (
        "" if drift("typeface") else TYPEFACE_FIX
    )
    style = f'<style nonce="{esc(ctx.nonce)}">{overrides}</style>' if overrides else ""
    if drift("logo"):
        logo = (
            f'<a href="/pay-a-parking-fine" class="pr-logo">'
            f'<img src="{SUPPLIER_BRAND["logo_path"]}" alt="{SUPPLIER_BRAND["logo_alt"]}" '
            'width="240" height="60"></a>'
        )
    else:
        logo = (
            f'<a href="{esc(ctx.main_url)}/" class="pr-logo council-logo">'
            f'<img src="{BRAND.logo_path}" alt="{esc(BRAND.logo_alt)}" '
            f'width="{BRAND.logo_width}" height="{BRAND.logo_height}"></a>'
        )
    links = [
        ("Privacy notice", "/privacy"),
        ("Contact us", "/contact"),
        ("Example County Council home page", "/"),
    ]
    if not drift("footer-links"):
        links = [(link.text, link.href) for link in BRAND.footer_links] + [links[-1]]
    footer_links = "".join(
        f'<li><a href="{esc(ctx.main_url)}{href}">{esc(text)}</a></li>' for text, href in links
    )
    slot = feedback_slot(ctx, service) if service else ""
    help_block = HELP_BLOCK if service else ""
    banner = cookie_banner(ctx, css="pr-button")
    body = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="Pay a penalty charge notice issued by {esc(BRAND.council_name)}.">
<meta name="generated" content="{esc(ctx.generated)}">
<link rel="icon" href="/favicon.ico" type="image/x-icon">
<link rel="stylesheet" href="{SUPPLIER_BRAND["stylesheet"]}">
{style}
{head_extras(ctx, title, [], PARKRIGHT_ORGANISATION)}
</head>
<body>
<a href="#main-content" class="skip-link">Skip to main content</a>
{banner}
<header class="pr-header">
  <div class="pr-container">
    {logo}
    <p class="pr-service">Pay a parking fine</p>
  </div>
</header>
<div class="pr-container">
<main id="main-content">
{content}
{help_block}
{extra_paragraph(ctx)}
{slot}
</main>
</div>
<footer class="pr-footer">
  <div class="pr-container">
    <h2 class="visually-hidden">Support links</h2>
    <ul>{footer_links}</ul>
    <p>Parking enforcement and payments are provided for {esc(BRAND.council_name)} by
    {SUPPLIER_NAME} Ltd, Unit 4, Example Business Park, Exampleton EX3 9ZZ. Registered in
    England and Wales, company number 01234567.</p>
    <p>Penalty charge notices are issued under the Traffic Management Act 2004. Paying
    a penalty charge notice is treated as accepting liability for it. Payments usually
    appear on your statement within 3 working days.</p>
    <p>&copy; {SUPPLIER_NAME} Ltd 2026</p>
  </div>
</footer>
{ICON_SPRITE}
<script nonce="{esc(ctx.nonce)}">{COOKIE_SCRIPT}</script>
<script nonce="{esc(ctx.nonce)}">{ANALYTICS_SCRIPT}</script>
<script nonce="{esc(ctx.nonce)}">window.__PARKRIGHT__ = {PLATFORM_CONFIG};</script>
{council_feedback_script(ctx) if service else ""}
</body>
</html>
"""
    return Response(status=status, body=body)


def _page(ctx: Ctx, content: str, *, error: bool = False) -> Response:
    key, supplier_page, council_page = PAGES[ctx.path]
    return supplier_layout(
        ctx,
        content=content,
        page_key=key,
        supplier_page=supplier_page,
        council_page=council_page,
        error=error,
    )


def parking_start(ctx: Ctx) -> Response:
    content = """
<h1>Pay a parking fine</h1>
<p>Use this service to pay a penalty charge notice (PCN) issued by Example County Council
for parking or driving in a bus lane.</p>
<p>You will need:</p>
<ul>
  <li>your PCN number: it is 10 characters long and starts with EX, for example EX12345678</li>
  <li>the registration number of the vehicle</li>
  <li>a debit or credit card</li>
</ul>
<div class="pr-notice">
  <p>If you pay within 14 days of the date the PCN was issued, you only pay half the
  charge.</p>
</div>
<p><a href="/pay-a-parking-fine/find" class="pr-button">Start now</a></p>
<h2>If you think the PCN is wrong</h2>
<p>Do not pay the PCN if you want to challenge it. If you pay, the case is closed and you
cannot challenge it later.</p>
<h2>Other ways to pay</h2>
<p>You can pay by phone on 03000 41 22 22, 24 hours a day, using the automated payment
line.</p>
"""
    return _page(ctx, content)


def parking_find(ctx: Ctx) -> Response:
    values = {"pcn": ctx.value("pcn").upper(), "vrm": ctx.value("vrm").upper()}
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        pcn = values["pcn"].replace(" ", "")
        if not pcn:
            errors["pcn"] = "Enter your PCN number"
        elif not (len(pcn) == 10 and pcn.startswith("EX") and pcn[2:].isdigit()):
            errors["pcn"] = "Enter a PCN number in the correct format, like EX12345678"
        if not values["vrm"]:
            errors["vrm"] = "Enter the vehicle registration number"
        if not errors:
            return redirect(
                with_query("/pay-a-parking-fine/pay", {"pcn": pcn, "vrm": values["vrm"]})
            )
    content = f"""
{error_summary(errors, css="pr-error-summary")}
<h1>Find your penalty charge notice</h1>
<form method="post" action="/pay-a-parking-fine/find" novalidate>
  {csrf_input(ctx)}
  {_field("pcn", "PCN number", values["pcn"], errors, hint="For example, EX12345678")}
  {
        _field(
            "vrm",
            "Vehicle registration number",
            values["vrm"],
            errors,
            hint="For example, AB12 CDE",
        )
    }
  <button type="submit" class="pr-button">Find PCN</button>
</form>
<p><a href="/pay-a-parking-fine" class="pr-back">Back to Pay a parking fine</a></p>
"""
    return _page(ctx, content, error=bool(errors))


def _field(
    fid: str,
    label: str,
    value: str,
    errors: dict[str, str],
    *,
    hint: str = "",
    autocomplete: str | None = None,
    short: bool = False,
) -> str:
    """The supplier's form field markup (its own classes, same accessible structure)."""
    html = text_field(
        fid,
        label,
        value,
        errors=errors,
        hint=hint or None,
        autocomplete=autocomplete,
        css="pr-short" if short else "",
        spellcheck=False,
    )
    return (
        html.replace('class="form-group form-group--error"', 'class="pr-field pr-field--error"')
        .replace('class="form-group"', 'class="pr-field"')
        .replace('class="hint"', 'class="pr-hint"')
        .replace('class="error-message"', 'class="pr-error-message"')
    )


def parking_pay(ctx: Ctx) -> Response:
    pcn = ctx.value("pcn") or "EX00000000"
    vrm = ctx.value("vrm") or "Not given"
    fields = ("card-name", "card-number", "card-expiry", "card-csc")
    values = {name: ctx.value(name) for name in fields}
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        if not values["card-name"]:
            errors["card-name"] = "Enter the name on the card"
        if len(values["card-number"].replace(" ", "")) < 12:
            errors["card-number"] = "Enter a card number"
        if len(values["card-expiry"]) < 4:
            errors["card-expiry"] = "Enter the expiry date, like 04/28"
        if not values["card-csc"]:
            errors["card-csc"] = "Enter the card security code"
        if not errors:
            receipt = reference("PRS", {"pcn": pcn, "vrm": vrm})
            content = f"""
<h1>Payment not taken</h1>
<div class="pr-notice" role="status">
  <p>This is a demonstration service: no payment has been taken from your card.</p>
  <p>Demonstration receipt number: {esc(receipt)}</p>
</div>
<p><a href="/pay-a-parking-fine">Pay another parking fine</a></p>
"""
            return _page(ctx, content)
    content = f"""
{error_summary(errors, css="pr-error-summary")}
<h1>Enter your card details</h1>
<p>PCN {esc(pcn)} for vehicle {esc(vrm)}. Amount to pay: &pound;35.00.</p>
<form method="post" action="/pay-a-parking-fine/pay" novalidate>
  {csrf_input(ctx)}
  <input type="hidden" name="pcn" value="{esc(pcn)}">
  <input type="hidden" name="vrm" value="{esc(vrm)}">
  {_field("card-name", "Name on card", values["card-name"], errors, autocomplete="cc-name")}
  {_field("card-number", "Card number", "", errors, autocomplete="cc-number")}
  {
        _field(
            "card-expiry",
            "Expiry date",
            "",
            errors,
            hint="For example, 04/28",
            autocomplete="cc-exp",
            short=True,
        )
    }
  {
        _field(
            "card-csc",
            "Card security code",
            "",
            errors,
            hint="The last 3 digits on the back of the card",
            autocomplete="cc-csc",
            short=True,
        )
    }
  <button type="submit" class="pr-button">Pay &pound;35.00</button>
</form>
<p><a href="/pay-a-parking-fine/find" class="pr-back">Back to Find your penalty charge
notice</a></p>
"""
    return _page(ctx, content, error=bool(errors))


def supplier_feedback(ctx: Ctx) -> Response:
    """The supplier has no feedback page of its own: send residents to the council's."""
    query = {k: v for k, v in ctx.query.items() if k in ("service", "page")}
    return redirect(with_query(f"{ctx.main_url}/feedback", query), status=302)


def supplier_not_found(ctx: Ctx) -> Response:
    content = """
<h1>Page not found</h1>
<p>Check the web address is correct.</p>
<p><a href="/pay-a-parking-fine">Go to Pay a parking fine</a></p>
"""
    return supplier_layout(
        ctx,
        content=content,
        page_key=None,
        supplier_page="Page not found",
        council_page="Page not found",
        service=None,
        status=404,
    )


SUPPLIER_PAGES: dict[str, Handler] = {
    "/pay-a-parking-fine": parking_start,
    "/pay-a-parking-fine/find": parking_find,
    "/pay-a-parking-fine/pay": parking_pay,
    "/feedback": supplier_feedback,
}

BRAND_RULES = ("logo", "palette", "typeface", "footer-links", "title-pattern")
