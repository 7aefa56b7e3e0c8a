"""The demo council's "Parking permits": a small single-page app with a client-side router.

The server answers every address under ``/parking-permits`` with the same shell (the
council's header and footer, an empty ``#app``), as single-page apps are hosted (a
"history API fallback"); ``/static/permits-app.js`` reads the route, fetches its view from
``/parking-permits/api/view?route=...`` and draws it. Routes are reached by:

- links the router handles with ``history.pushState`` (``Types of permit``);
- a hash route kept from the app's first version (``Visitor permits``, ``#/visitors``);
- a button (``Check your permit zone``);
- a menu item inside a menu (``More about permits`` → ``Prices and discounts``).

Each route but the first has one seeded defect (``manifest.json``) that only exists in
the view the app draws: a crawler that reads ``<a href>`` links of the served HTML never
sees it.
"""

from __future__ import annotations

import json

from demo.common import Ctx, Response, esc
from demo.pages import HOME_CRUMB, layout

PERMITS = "parking-permits"
BASE = "/parking-permits"
API = f"{BASE}/api/view"

INFO_ICON = (
    '<svg aria-hidden="true" focusable="false" width="24" height="24" viewBox="0 0 24 24">'
    '<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2"/>'
    '<path d="M12 11v6M12 7.5v.5" fill="none" stroke="currentColor" stroke-width="2"/></svg>'
)


def shell(ctx: Ctx) -> Response:
    """The one document every route is served as; the app draws the view."""
    content = """
<div id="app" data-base="/parking-permits" aria-busy="true">
  <h1>Parking permits</h1>
  <p>Loading parking permits…</p>
</div>
<noscript><p>This service needs JavaScript. Call 03000 41 41 41 to apply for a permit by
phone.</p></noscript>
"""
    return layout(
        ctx,
        page="Parking permits",
        content=content,
        service=PERMITS,
        crumbs=[HOME_CRUMB],
        scripts='<script src="/static/permits-app.js"></script>',
    )


def _home(ctx: Ctx) -> tuple[str, str]:
    return (
        "Parking permits",
        """
<h1>Parking permits</h1>
<p class="lede">Apply for and manage residents' and visitors' parking permits in the
county's controlled parking zones.</p>
<h2>Find out about permits</h2>
<ul class="link-list">
  <li><a href="/parking-permits/types" data-route>Types of permit</a></li>
  <li><a href="#/visitors">Visitor permits</a></li>
</ul>
<h2>Your street</h2>
<p>Permits are for the zone your street is in.</p>
<p><button type="button" class="button" data-route="/parking-permits/zones">Check your
permit zone</button></p>
<h2>Prices</h2>
<div class="permits-menu">
  <button type="button" class="button" id="permits-menu-button" aria-haspopup="true"
    aria-expanded="false" aria-controls="permits-menu">More about permits</button>
  <ul id="permits-menu" role="menu" aria-labelledby="permits-menu-button" hidden>
    <li role="none"><button type="button" role="menuitem"
      data-route="/parking-permits/prices">Prices and discounts</button></li>
  </ul>
</div>
""",
    )


def _types(ctx: Ctx) -> tuple[str, str]:
    alt = (
        ""
        if ctx.active("permits-types-image-alt")
        else ' alt="A map of the county town with zones A, B and C shaded around the centre"'
    )
    return (
        "Types of permit",
        f"""
<h1>Types of permit</h1>
<p class="lede">There are three kinds of permit, for residents, their visitors and
businesses.</p>
<p><img src="/static/permit-zones.png" id="permit-types-diagram" width="480"
  height="270"{alt}></p>
<h2>Residents' permits</h2>
<p>For people who live in a controlled parking zone. One permit per vehicle, up to three per
household.</p>
<h2>Visitors' permits</h2>
<p>Day passes for people visiting you. You can buy up to 50 a year.</p>
<h2>Business permits</h2>
<p>For businesses in a zone that need a vehicle to work.</p>
<p><a href="/parking-permits" data-route>Back to parking permits</a></p>
""",
    )


def _zones(ctx: Ctx) -> tuple[str, str]:
    label = (
        ""
        if ctx.active("permits-zones-select-name")
        else '<label for="zone-street">Your street</label>'
    )
    return (
        "Check your permit zone",
        f"""
<h1>Check your permit zone</h1>
<p>Choose your street to see which zone it is in.</p>
<div class="form-group">
  {label}
  <select id="zone-street" name="street">
    <option value="">Choose a street</option>
    <option value="A">Church Lane</option>
    <option value="B">Station Road</option>
    <option value="C">Mill Street</option>
  </select>
</div>
<p><button type="button" class="button" id="zone-show">Show the zone</button></p>
<p id="zone-answer" aria-live="polite"></p>
<p><a href="/parking-permits" data-route>Back to parking permits</a></p>
""",
    )


def _prices(ctx: Ctx) -> tuple[str, str]:
    if ctx.active("permits-prices-color-contrast"):
        note = (
            '<p id="permit-prices-note" style="color: #1d5fa8">Blue Badge holders get their '
            "first residents' permit free.</p>"
        )
    else:
        note = (
            '<p id="permit-prices-note">Blue Badge holders get their first residents\' '
            "permit free.</p>"
        )
    return (
        "Prices and discounts",
        f"""
<h1>Prices and discounts</h1>
<table>
  <caption>Permit prices for 2026 to 2027</caption>
  <thead><tr><th scope="col">Permit</th><th scope="col">Price</th></tr></thead>
  <tbody>
    <tr><td>Residents' permit, first vehicle</td><td>&pound;60 a year</td></tr>
    <tr><td>Residents' permit, second vehicle</td><td>&pound;90 a year</td></tr>
    <tr><td>Visitors' day pass</td><td>&pound;2.50</td></tr>
  </tbody>
</table>
<div class="callout">
  <h2>Discounts</h2>
  {note}
</div>
<p><a href="/parking-permits" data-route>Back to parking permits</a></p>
""",
    )


def _visitors(ctx: Ctx) -> tuple[str, str]:
    name = (
        ""
        if ctx.active("permits-visitors-link-name")
        else '<span class="visually-hidden">Types of permit</span>'
    )
    return (
        "Visitor permits",
        f"""
<h1>Visitor permits</h1>
<p class="lede">Buy day passes for people visiting you in a controlled parking zone.</p>
<p>Each pass lasts from 8am to 8pm on the day you choose. Show the pass number to a civil
enforcement officer if asked.</p>
<p>Compare visitors' passes with the other permits.
<a href="/parking-permits/types" data-route id="visitor-permits-types-link"
  class="icon-link">{INFO_ICON}{name}</a></p>
<p><a href="/parking-permits" data-route>Back to parking permits</a></p>
""",
    )


#: Route → its view. A hash route is written as the app shows it, after the base path.
VIEWS = {
    BASE: _home,
    f"{BASE}/types": _types,
    f"{BASE}/zones": _zones,
    f"{BASE}/prices": _prices,
    f"{BASE}#/visitors": _visitors,
}


def view(ctx: Ctx) -> Response:
    """One route's view, as the app fetches it: ``{"title", "html"}``."""
    route = ctx.value("route") or BASE
    draw = VIEWS.get(route)
    if draw is None:
        body = {
            "title": "Page not found",
            "html": "<h1>Page not found</h1><p>There is no such page in Parking permits."
            ' <a href="/parking-permits" data-route>Go to Parking permits</a></p>',
        }
        return Response(status=404, body=json.dumps(body), content_type="application/json")
    title, html = draw(ctx)
    extra = ctx.text_for(route)
    if extra is not None:
        html += f'<p class="dx-page-update">{esc(extra)}</p>'
    return Response(
        body=json.dumps({"title": title, "html": html}),
        content_type="application/json; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


def serves(path: str) -> bool:
    """Whether the app's shell answers this path (every address of the app but its API)."""
    return (path == BASE or path.startswith(BASE + "/")) and not path.startswith(f"{BASE}/api/")


__all__ = ["API", "BASE", "VIEWS", "serves", "shell", "view"]
