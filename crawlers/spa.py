"""Single-page apps: a client-side route is a page whose address is its route.

A service with ``spa:`` in ``services.yaml`` is crawled as an app:

- its routes are addresses: ``/permits/prices`` (a router using ``history.pushState``) or
  ``/permits#/visitors`` (a hash route, kept by the frontier where an ordinary ``#part``
  of a page is dropped); each is loaded by its address, in a fresh document, like any
  page, and goes through the one page pipeline;
- before the snapshot, the pipeline waits for the view to settle (``settle``): no region
  marked ``aria-busy="true"`` and nothing in the document changed for ``quiet_seconds``,
  or ``settle_seconds`` passed;
- after the checks, ``discover`` finds the routes the page leads to besides its links:
  it clicks buttons, menu items and tabs (opening a menu again to reach its items) and
  notes every address the app moves to. While it clicks, the page can send nothing (no
  form, no request but GET and HEAD, no beacon), store nothing (no cookie, no local
  storage), open no window and load no other document (the Navigation API's navigate
  event: a move to another document is noted and cancelled); elements named like sign-out,
  delete, cancel, pay or submit are never clicked; after each move the app is taken back
  to the route it was on. The addresses found join the frontier like links, so routes are
  bounded by the service's ``max_pages`` and ``max_depth``.

Routes are fingerprinted like pages (their rendered view), so the nightly re-audit opens
each route and audits it again only when its view changed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from crawlers.base import LoadedPage, PageError
from crawlers.session import ACTING_WORDS, CrawlGuard

if TYPE_CHECKING:
    from monitor.config import SpaConfig

log = logging.getLogger(__name__)


#: Waits until no region says it is busy (``aria-busy``, as an app tells assistive
#: technology it is drawing) and nothing in the document changed for ``quiet`` ms, or
#: ``most`` ms passed. The engines have already waited for the network to go quiet, but a
#: slow answer can outlast that wait: a view still loading says so, or should.
SETTLE = """async ({quiet, most}) => {
  const began = performance.now();
  let last = began;
  const observer = new MutationObserver(() => { last = performance.now(); });
  observer.observe(document.documentElement,
    { subtree: true, childList: true, attributes: true, characterData: true });
  const busy = () => !!document.querySelector('[aria-busy="true"]');
  try {
    for (;;) {
      await new Promise((done) => setTimeout(done, 25));
      const now = performance.now();
      if (busy()) last = now;
      if (now - last >= quiet) return { settled: true, ms: Math.round(now - began) };
      if (now - began >= most) return { settled: false, ms: Math.round(now - began) };
    }
  } finally {
    observer.disconnect();
  }
}"""


async def settle(page: LoadedPage, spa: SpaConfig) -> bool:
    """Wait for the app's view to settle; False if it was still changing at the limit."""
    done = await page.evaluate(
        SETTLE, {"quiet": spa.quiet_seconds * 1000, "most": spa.settle_seconds * 1000}
    )
    return bool(isinstance(done, dict) and done.get("settled"))


#: Clicks what may change the route and notes where the app goes (see the module
#: docstring); ``{routes, supported, clicked}``.
DISCOVER = r"""async ({refuse, limit}) => {
  if (!window.navigation) return { routes: [], supported: false, clicked: 0 };
  const patterns = refuse.map((p) => new RegExp(p, 'i'));
  const refused = (name) => patterns.some((p) => p.test(name));
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const start = location.href;
  const routes = [];
  const noted = [];

  // Nothing sent, stored, opened or loaded while buttons are clicked.
  const onNavigate = (event) => {
    const to = event.destination;
    if (to && to.url) noted.push(to.url);
    // Another document: noted, never loaded. The app's own moves (pushState, a hash)
    // go ahead, so the route it shows is the one it chose.
    if (!(to && to.sameDocument) && event.cancelable) event.preventDefault();
  };
  const onSubmit = (event) => event.preventDefault();
  const safe = (method) => ['GET', 'HEAD'].includes(String(method || 'GET').toUpperCase());
  const kept = {
    fetch: window.fetch, open: window.open, beacon: navigator.sendBeacon,
    xhrOpen: XMLHttpRequest.prototype.open, xhrSend: XMLHttpRequest.prototype.send,
    submit: HTMLFormElement.prototype.submit,
    requestSubmit: HTMLFormElement.prototype.requestSubmit,
    setItem: Storage.prototype.setItem, removeItem: Storage.prototype.removeItem,
    clear: Storage.prototype.clear,
  };
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  navigation.addEventListener('navigate', onNavigate);
  window.addEventListener('submit', onSubmit, true);
  window.fetch = function (input, init) {
    const method = (init && init.method) || (input && input.method) || 'GET';
    return safe(method) ? kept.fetch.apply(this, arguments)
      : Promise.reject(new TypeError('not sent: the monitor is looking for routes'));
  };
  XMLHttpRequest.prototype.open = function (method) {
    this.__monitorMethod = method;
    return kept.xhrOpen.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (!safe(this.__monitorMethod)) return undefined;
    return kept.xhrSend.apply(this, arguments);
  };
  if (kept.beacon) navigator.sendBeacon = () => false;
  window.open = () => null;
  HTMLFormElement.prototype.submit = function () {};
  HTMLFormElement.prototype.requestSubmit = function () {};
  Storage.prototype.setItem = function () {};
  Storage.prototype.removeItem = function () {};
  Storage.prototype.clear = function () {};
  if (cookie) {
    Object.defineProperty(document, 'cookie', {
      configurable: true, get() { return cookie.get.call(document); }, set() {},
    });
  }
  const release = () => {
    navigation.removeEventListener('navigate', onNavigate);
    window.removeEventListener('submit', onSubmit, true);
    window.fetch = kept.fetch;
    window.open = kept.open;
    if (kept.beacon) navigator.sendBeacon = kept.beacon;
    XMLHttpRequest.prototype.open = kept.xhrOpen;
    XMLHttpRequest.prototype.send = kept.xhrSend;
    HTMLFormElement.prototype.submit = kept.submit;
    HTMLFormElement.prototype.requestSubmit = kept.requestSubmit;
    Storage.prototype.setItem = kept.setItem;
    Storage.prototype.removeItem = kept.removeItem;
    Storage.prototype.clear = kept.clear;
    if (cookie) delete document.cookie;
  };

  const SELECTOR = 'button, [role="button"], [role="menuitem"], [role="menuitemradio"], '
    + '[role="menuitemcheckbox"], [role="tab"], [role="link"]:not([href]), [onclick]';
  const nameOf = (el) => (el.getAttribute('aria-label') || el.innerText || el.textContent
    || el.getAttribute('title') || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 200);
  const shown = (el) => {
    if (!el.isConnected) return false;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const clickable = (el) => {
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') return false;
    if (el.closest('a[href]')) return false;  // a link: found as a link
    if (['input', 'select', 'textarea', 'option', 'label'].includes(el.localName)) return false;
    // A button that would send its form (blocked anyway, but it is no route).
    if (el.form && ['submit', 'image', 'reset'].includes(String(el.type).toLowerCase())) {
      return false;
    }
    return true;
  };
  const listing = () => {
    const counts = new Map();
    const out = [];
    for (const el of document.querySelectorAll(SELECTOR)) {
      if (!clickable(el)) continue;
      const name = nameOf(el);
      const base = `${el.localName}|${el.getAttribute('role') || ''}|${name}`;
      const n = counts.get(base) || 0;
      counts.set(base, n + 1);
      out.push({ key: `${base}|${n}`, el, name, visible: shown(el) });
    }
    return out;
  };
  const find = (key) => listing().find((c) => c.key === key);
  const quiet = async () => {
    // Until the address is back and nothing changed for a moment (at most a second).
    const began = performance.now();
    let last = performance.now();
    const observer = new MutationObserver(() => { last = performance.now(); });
    observer.observe(document.documentElement,
      { subtree: true, childList: true, attributes: true });
    try {
      while (performance.now() - began < 1000) {
        await pause(20);
        if (location.href === start && performance.now() - last >= 60) return true;
      }
      return location.href === start;
    } finally {
      observer.disconnect();
    }
  };
  const back = async (lengthBefore) => {
    const was = new URL(location.href);
    if (history.length > lengthBefore) {
      history.back();  // the app's own way back, as a resident's Back button
    } else {  // the app replaced the entry: put the route back the same way
      history.replaceState(history.state, '', start);
      window.dispatchEvent(new PopStateEvent('popstate', { state: history.state }));
      if (was.hash !== new URL(start).hash) {
        window.dispatchEvent(
          new HashChangeEvent('hashchange', { oldURL: was.href, newURL: start }));
      }
    }
    return quiet();
  };

  let clicked = 0;
  try {
    const queue = [];
    const known = new Set();
    const opener = new Map();
    const enqueue = (items, by) => {
      for (const item of items) {
        if (known.has(item.key) || !item.visible || refused(item.name)) continue;
        known.add(item.key);
        queue.push(item.key);
        if (by) opener.set(item.key, by);
      }
    };
    enqueue(listing(), null);
    while (queue.length && clicked < limit) {
      const key = queue.shift();
      let target = find(key);
      if ((!target || !target.visible) && opener.has(key)) {
        // A menu's item: open the menu again (going back to the route closed it).
        const by = find(opener.get(key));
        if (by && by.visible) { by.el.click(); await pause(60); }
        target = find(key);
      }
      if (!target || !target.visible) continue;
      const before = new Set(listing().filter((c) => c.visible).map((c) => c.key));
      const lengthBefore = history.length;
      noted.length = 0;
      target.el.click();
      clicked += 1;
      await pause(60);  // routers move on the click, or a microtask or a frame later
      for (let i = 0; i < 5 && location.href === start && !noted.length; i += 1) await pause(20);
      routes.push(...noted);
      if (location.href !== start) {
        routes.push(location.href);
        if (!await back(lengthBefore)) break;  // the app would not go back: stop here
      } else {
        // What the click showed (a menu's items): clicked in turn, after what is queued.
        enqueue(listing().filter((c) => c.visible && !before.has(c.key)), key);
      }
    }
  } finally {
    release();
  }
  return { routes: Array.from(new Set(routes)).filter((u) => u !== start),
           supported: true, clicked };
}"""


async def discover(page: LoadedPage, spa: SpaConfig, guard: CrawlGuard | None) -> list[str]:
    """The addresses the app moves to when its buttons, menu items and tabs are clicked
    (see the module docstring); none when clicking is switched off or cannot be done."""
    if not spa.click or spa.max_clicks == 0:
        return []
    refuse = [*(guard or CrawlGuard()).js_patterns, ACTING_WORDS]
    try:
        found: Any = await page.evaluate(DISCOVER, {"refuse": refuse, "limit": spa.max_clicks})
    except PageError as exc:
        log.info("looking for routes on %s stopped: %s", page.url, exc.message)
        return []
    if not isinstance(found, dict):
        return []
    if not found.get("supported"):
        log.info("%s: the browser has no Navigation API; routes are found by links only", page.url)
    return [str(u) for u in found.get("routes") or []]


__all__ = ["DISCOVER", "SETTLE", "discover", "settle"]
