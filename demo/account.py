"""The demo council's "My account" area, behind a sign-in, with its own seeded defects.

``/sign-in`` is public; every ``/account`` page needs the session cookie a successful
sign-in sets (``council_session``), and without it redirects to the sign-in page, as a
real account area does. The defects of the account pages (``manifest.json``) are only
seen once signed in.

The demo's test account (``DEMO_EMAIL``, ``DEMO_PASSWORD``) is the demo's own fixture:
``monitor demo run`` puts it in the environment variables the ``my-account`` sign-in
recipe reads (``DEMO_ACCOUNT_EMAIL``, ``DEMO_ACCOUNT_PASSWORD``); the monitor never stores
it.

``Accounts`` is what tests turn: the sign-in page can ask for a CAPTCHA, a second factor
or be changed (``mode``), sessions can expire after a number of pages
(``pages_per_session``) or at once (``expire_sessions``), and it counts sign-ins.
"""

from __future__ import annotations

from urllib.parse import quote

from demo.common import (
    Ctx,
    Handler,
    Response,
    csrf_input,
    error_summary,
    esc,
    redirect,
    text_field,
)
from demo.pages import HOME_CRUMB, layout
from demo.sessions import Accounts

ACCOUNT = "my-account"
SESSION_COOKIE = "council_session"
#: The demo's test account (a fixture of the demo site, like its seeded defects).
DEMO_EMAIL = "sam.resident@example.com"
DEMO_PASSWORD = "Demo-account-7f3k-2026"
DEMO_NAME = "Sam Resident"
#: The environment variables the demo's sign-in recipe reads its credentials from.
EMAIL_ENV, PASSWORD_ENV = "DEMO_ACCOUNT_EMAIL", "DEMO_ACCOUNT_PASSWORD"
ACCOUNT_CRUMBS = [HOME_CRUMB, ("Your account", "/account")]


def _token(ctx: Ctx) -> str | None:
    return ctx.cookies.get(SESSION_COOKIE)


def _signed_in(ctx: Ctx) -> bool:
    return ctx.accounts is not None and ctx.accounts.serve(_token(ctx))


def _to_sign_in(ctx: Ctx) -> Response:
    target = f"/sign-in?next={quote(ctx.path, safe='/')}"
    accounts = ctx.accounts
    status = accounts.expired_status if accounts is not None else None
    if accounts is not None and status is not None and _token(ctx):
        # A session that has ended, answered with a status rather than a redirect.
        accounts.ended_answers += 1
        return layout(
            ctx,
            page="Your session has ended",
            content=(
                f'<h1>Your session has ended</h1><p><a href="{esc(target)}">Sign in again</a></p>'
            ),
            service=ACCOUNT,
            crumbs=[HOME_CRUMB],
            status=status,
        )
    return redirect(target)


# ----- the sign-in page --------------------------------------------------------------------

CAPTCHA_WIDGET = """
<div class="form-group">
  <div class="g-recaptcha" id="sign-in-captcha" data-sitekey="demo-site-key">
    <div class="choice"><input type="checkbox" id="not-a-robot" name="g-recaptcha-response"
      value="ticked"><label for="not-a-robot">I'm not a robot</label></div>
  </div>
</div>"""


def sign_in(ctx: Ctx) -> Response:
    accounts = ctx.accounts
    assert accounts is not None
    email, password = ctx.value("email"), ctx.form.get("password", "")
    target = ctx.value("next") or "/account"
    if not target.startswith("/account"):
        target = "/account"
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        if accounts.mode == "captcha" and not ctx.value("g-recaptcha-response"):
            errors["not-a-robot"] = "Confirm that you are not a robot"
        elif email.lower() != DEMO_EMAIL or password != DEMO_PASSWORD:
            errors["email"] = "Enter a correct email address and password"
        if errors:
            accounts.refused += 1
        elif accounts.mode == "second-factor":
            return redirect(f"/sign-in/code?next={quote(target, safe='/')}")
        else:
            accounts.sign_ins += 1
            response = redirect(target)
            response.headers["Set-Cookie"] = (
                f"{SESSION_COOKIE}={accounts.start_session()}; Path=/; HttpOnly; SameSite=Lax"
            )
            return response
    changed = accounts.mode == "changed"
    fields = (
        # A redesign renamed the field: the recipe's "Email address" is not found.
        text_field("username", "Your username", "", errors=errors, autocomplete="username")
        if changed
        else text_field(
            "email",
            "Email address",
            email,
            errors=errors,
            autocomplete="username",
            input_type="email",
            spellcheck=False,
        )
    )
    signed_out = '<p class="inset">You have signed out.</p>' if ctx.value("signed-out") else ""
    content = f"""
{error_summary(errors)}
<h1>Sign in to your account</h1>
{signed_out}
<p>Sign in to see your parking permits, renew your Blue Badge and change your details.</p>
<form method="post" action="/sign-in" novalidate>
  {csrf_input(ctx)}
  <input type="hidden" name="next" value="{esc(target)}">
  {fields}
  <div class="form-group">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password">
  </div>
  {CAPTCHA_WIDGET if accounts.mode == "captcha" else ""}
  <button type="submit" class="button">Sign in</button>
</form>
<h2>No account yet?</h2>
<p>Call 03000 41 41 41 and we will set one up for you.</p>
"""
    return layout(
        ctx,
        page="Sign in to your account",
        content=content,
        service=ACCOUNT,
        crumbs=[HOME_CRUMB],
        error=bool(errors),
    )


def sign_in_code(ctx: Ctx) -> Response:
    """The second factor: a code the monitor cannot have."""
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        errors["code"] = "The security code is not right"
        if ctx.accounts is not None:
            ctx.accounts.refused += 1
    content = f"""
{error_summary(errors)}
<h1>Enter the security code</h1>
<p>We have sent a 6-digit security code to the phone number ending 0123.</p>
<form method="post" action="/sign-in/code" novalidate>
  {csrf_input(ctx)}
  <div class="form-group">
    <label for="code">Security code</label>
    <input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code">
  </div>
  <button type="submit" class="button">Continue</button>
</form>
"""
    return layout(
        ctx,
        page="Enter the security code",
        content=content,
        service=ACCOUNT,
        crumbs=[HOME_CRUMB],
        error=bool(errors),
    )


# ----- the account pages ---------------------------------------------------------------------

MAIL_ICON = (
    '<svg aria-hidden="true" focusable="false" width="28" height="28" viewBox="0 0 24 24">'
    '<path d="M3 6h18v12H3zM3 6l9 7 9-7" fill="none" stroke="currentColor" '
    'stroke-width="2"/></svg>'
)
PRINT_ICON = (
    '<svg aria-hidden="true" focusable="false" width="24" height="24" viewBox="0 0 24 24">'
    '<path d="M6 9V3h12v6M6 18H3v-7h18v7h-3M6 14h12v7H6z" fill="none" '
    'stroke="currentColor" stroke-width="2"/></svg>'
)


def _account_bar() -> str:
    return (
        f'<p class="inset">You are signed in as {esc(DEMO_NAME)}. '
        '<a href="/account/sign-out">Sign out</a></p>'
    )


def _account_layout(ctx: Ctx, page: str, content: str, home: bool = False) -> Response:
    return layout(
        ctx,
        page=page,
        content=_account_bar() + content,
        service=ACCOUNT,
        crumbs=[HOME_CRUMB] if home else ACCOUNT_CRUMBS,
    )


def account_home(ctx: Ctx) -> Response:
    if not _signed_in(ctx):
        return _to_sign_in(ctx)
    name = (
        ""
        if ctx.active("account-home-link-name")
        else '<span class="visually-hidden">Your details</span>'
    )
    content = f"""
<h1>Your account</h1>
<p class="lede">Manage the council services you use, in one place.</p>
<ul class="card-list">
  <li><h2><a href="/account/permits">Your parking permits</a></h2>
    <p>See your residents' permit and buy visitor permits.</p></li>
  <li><h2><a href="/account/blue-badge">Renew your Blue Badge</a></h2>
    <p>Your badge runs out on 30 June 2027. You can renew it from 31 March 2027.</p></li>
</ul>
<h2>Your details</h2>
<p>Check that we have the right contact details for you.
<a href="/account/details" id="account-details-icon-link"
  class="icon-link">{MAIL_ICON}{name}</a></p>
"""
    return _account_layout(ctx, "Your account", content, home=True)


def account_details(ctx: Ctx) -> Response:
    if not _signed_in(ctx):
        return _to_sign_in(ctx)
    if ctx.active("account-details-label"):
        phone = (
            '<div class="form-group"><p class="label">Phone number</p>'
            '<input type="tel" id="account-phone" name="phone" autocomplete="tel" '
            'value="07700 900123"></div>'
        )
    else:
        phone = (
            '<div class="form-group"><label for="account-phone">Phone number</label>'
            '<input type="tel" id="account-phone" name="phone" autocomplete="tel" '
            'value="07700 900123"></div>'
        )
    content = f"""
<h1>Your details</h1>
<dl class="summary-list">
  <div class="row"><dt>Name</dt><dd>{esc(DEMO_NAME)}</dd></div>
  <div class="row"><dt>Email address</dt><dd>{esc(DEMO_EMAIL)}</dd></div>
  <div class="row"><dt>Address</dt><dd>12 Station Road, Exampleton</dd></div>
</dl>
<h2>Change your phone number</h2>
<form method="post" action="/account/details" novalidate>
  {csrf_input(ctx)}
  {phone}
  <button type="submit" class="button">Save your phone number</button>
</form>
<h2>Close your account</h2>
<p>If you close your account, we will keep your permits and Blue Badge but you will not be
able to manage them online.</p>
<p><a href="/account/delete">Delete your account</a></p>
"""
    return _account_layout(ctx, "Your details", content)


def account_permits(ctx: Ctx) -> Response:
    if not _signed_in(ctx):
        return _to_sign_in(ctx)
    name = (
        ""
        if ctx.active("account-permits-button-name")
        else '<span class="visually-hidden">Print your permit</span>'
    )
    content = f"""
<h1>Your parking permits</h1>
<table>
  <caption>Permits on your account</caption>
  <thead><tr><th scope="col">Permit</th><th scope="col">Zone</th>
    <th scope="col">Valid until</th></tr></thead>
  <tbody><tr><td>Residents' permit RP-204816</td><td>Zone B</td><td>31 March 2027</td></tr>
  </tbody>
</table>
<p>Print your permit to show it in your car.
<button type="button" id="account-permit-print" class="icon-button">{PRINT_ICON}{name}</button></p>
<p>Moving house or selling your car?
<a href="/account/permits/cancel?permit=RP-204816">Cancel this permit</a></p>
"""
    return _account_layout(ctx, "Your parking permits", content)


def account_blue_badge(ctx: Ctx) -> Response:
    if not _signed_in(ctx):
        return _to_sign_in(ctx)
    content = """
<h1>Renew your Blue Badge</h1>
<p>Your Blue Badge runs out on 30 June 2027.</p>
<p>You can renew it up to 12 weeks before it runs out, from 31 March 2027. We will email you
when you can renew.</p>
<h2>What you will need</h2>
<ul>
  <li>a recent digital photo</li>
  <li>your National Insurance number</li>
  <li>proof of your address, if you have moved</li>
</ul>
<p><a href="/apply-for-a-blue-badge">Read about Blue Badges</a></p>
"""
    return _account_layout(ctx, "Renew your Blue Badge", content)


def account_sign_out(ctx: Ctx) -> Response:
    """Ends the session: a crawl that followed this would sign itself out."""
    if ctx.accounts is not None:
        ctx.accounts.end_session(_token(ctx))
    response = redirect("/sign-in?signed-out=yes")
    response.headers["Set-Cookie"] = f"{SESSION_COOKIE}=; Path=/; Max-Age=0"
    return response


def account_delete(ctx: Ctx) -> Response:
    """Deleting an account: a crawl must never ask for it."""
    if not _signed_in(ctx):
        return _to_sign_in(ctx)
    if ctx.accounts is not None:
        ctx.accounts.end_session(_token(ctx))
    return redirect("/sign-in?signed-out=yes")


def account_cancel_permit(ctx: Ctx) -> Response:
    """Cancelling a permit: a crawl must never ask for it."""
    if not _signed_in(ctx):
        return _to_sign_in(ctx)
    return redirect("/account/permits")


ACCOUNT_PAGES: dict[str, Handler] = {
    "/sign-in": sign_in,
    "/sign-in/code": sign_in_code,
    "/account": account_home,
    "/account/details": account_details,
    "/account/permits": account_permits,
    "/account/blue-badge": account_blue_badge,
    "/account/sign-out": account_sign_out,
    "/account/delete": account_delete,
    "/account/permits/cancel": account_cancel_permit,
}


__all__ = [
    "ACCOUNT_PAGES",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "EMAIL_ENV",
    "PASSWORD_ENV",
    "SESSION_COOKIE",
    "Accounts",
]
