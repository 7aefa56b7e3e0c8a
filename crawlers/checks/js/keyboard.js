// The keyboard check's in-page part: (op, M) => result, where M is window.__councilMonitor.
// op.do: "prepare" (static findings, snapshots, start marker), "stop" (facts about the
// focused element after a Tab press), "drain" (the stops logged during a burst of Tab
// presses, and where focus is now), "finish" (remove everything the check added).
(op, M) => {
  const K = window.__councilKeyboard || (window.__councilKeyboard = { ids: new Map(), next: 1 });

  const STYLE_PROPS = [
    'outlineStyle', 'outlineWidth', 'outlineColor', 'outlineOffset', 'boxShadow',
    'borderTopColor', 'borderTopWidth', 'borderTopStyle', 'borderBottomColor',
    'borderBottomWidth', 'borderBottomStyle', 'borderLeftColor', 'borderLeftWidth',
    'borderRightColor', 'borderRightWidth', 'backgroundColor', 'backgroundImage', 'color',
    'textDecorationLine', 'textDecorationThickness', 'textDecorationColor', 'opacity',
    'transform', 'filter', 'fill', 'stroke', 'strokeWidth', 'fontWeight',
  ];
  const SHAPE_PROPS = ['position', 'clip', 'clipPath', 'width', 'height', 'top', 'left',
    'overflow', 'display', 'visibility'];

  function look(node, pseudo, shape) {
    const s = getComputedStyle(node, pseudo);
    const props = shape ? STYLE_PROPS.concat(SHAPE_PROPS) : STYLE_PROPS;
    let out = props.map((p) => s[p]).join('|');
    if (pseudo) out += '|' + s.content + '|' + s.display;
    return out;
  }

  // Everything whose rendering can show that `el` has focus: itself and its pseudo-elements,
  // a few ancestors (focus-within), neighbours (GOV.UK radios style the label's ::before),
  // its labels and first descendants, as [node, pseudo, shape] to be looked at.
  function watched(el) {
    const parts = [[el, null, true], [el, '::before'], [el, '::after']];
    let node = el.parentElement;
    for (let i = 0; i < 3 && node; i += 1, node = node.parentElement) parts.push([node, null]);
    const near = [el.previousElementSibling, el.nextElementSibling,
      el.nextElementSibling && el.nextElementSibling.nextElementSibling];
    for (const n of near.concat(Array.from(el.labels || []))) {
      if (n) parts.push([n, null], [n, '::before'], [n, '::after']);
    }
    Array.from(el.querySelectorAll('*')).slice(0, 12).forEach((d) => parts.push([d, null]));
    return parts;
  }

  // The looks of `el`'s watched parts, each read once per call however many controls share
  // it (siblings share their ancestors): nothing changes the page while one call runs.
  function signature(el, cache) {
    return watched(el).map(([node, pseudo, shape]) => {
      const key = (pseudo || '') + (shape ? '|shape' : '');
      let looks = cache.get(node);
      if (!looks) cache.set(node, (looks = new Map()));
      if (!looks.has(key)) looks.set(key, look(node, pseudo, shape));
      return looks.get(key);
    });
  }

  // Whether `el` looks any different from `before`: the answer comparing whole signatures
  // gives, found by looking only as far as the first part that differs (usually the first).
  function changed(el, before) {
    const parts = watched(el);
    if (parts.length !== before.length) return true;
    return parts.some(([node, pseudo, shape], i) => look(node, pseudo, shape) !== before[i]);
  }

  function idOf(el) {
    if (!K.ids.has(el)) K.ids.set(el, K.next++);
    return K.ids.get(el);
  }

  function modal(el) {
    return !!el.closest('[aria-modal="true"], dialog[open]');
  }

  function composite(el) {
    return !!el.closest('[role=tablist], [role=menu], [role=menubar], [role=radiogroup], ' +
      '[role=listbox], [role=grid], [role=tree], [role=treegrid], [role=toolbar]');
  }

  function prepare() {
    // No transitions or animations while tabbing, so focus styles are read as they end up.
    const style = document.createElement('style');
    style.id = '__council-monitor-keyboard-style';
    style.textContent = '*, *::before, *::after { transition: none !important; ' +
      'animation-duration: 0s !important; animation-delay: 0s !important; ' +
      'caret-color: transparent !important; }';
    document.head.appendChild(style);
    const start = document.createElement('span');
    start.id = '__council-monitor-start';
    start.tabIndex = -1;
    start.style.cssText = 'position:absolute;top:0;left:0;width:1px;height:1px;';
    document.body.insertBefore(start, document.body.firstChild);
    K.start = start;
    K.scroll = [window.scrollX, window.scrollY];
    const active = document.activeElement;
    if (active && active !== document.body && active.blur) active.blur();

    const order = M.tabbables();
    K.before = new Map();
    const looks = new Map();
    order.slice(0, 120).forEach((el) => K.before.set(el, signature(el, looks)));

    // Skip link: among the first tab stops, a same-page link to the main content.
    const findings = [];
    const mainStart = document.querySelector('main, [role=main]') || document.querySelector('h1');
    const stopsBefore = mainStart
      ? order.filter((el) => !mainStart.contains(el) &&
          (el.compareDocumentPosition(mainStart) & Node.DOCUMENT_POSITION_FOLLOWING)).length
      : order.length;
    // Where a skip link can be: among the first stops, or anywhere before the main content
    // (a cookie banner may come first).
    const early = order.slice(0, 10).concat(order.slice(0, stopsBefore));
    let skip = null;
    for (const el of early) {
      if (el.localName !== 'a') continue;
      const href = el.getAttribute('href') || '';
      const text = M.name(el);
      let sameDoc = href.startsWith('#');
      if (!sameDoc) {
        try {
          const url = new URL(href, location.href);
          sameDoc = url.hash !== '' && url.origin + url.pathname + url.search ===
            location.origin + location.pathname + location.search;
        } catch (e) { sameDoc = false; }
      }
      if (sameDoc && /skip|jump|main content|neidio|prif gynnwys/i.test(text)) {
        skip = el;
        break;
      }
    }
    if (skip) {
      const fragment = decodeURIComponent((skip.hash || skip.getAttribute('href')).slice(1));
      const target = fragment &&
        (document.getElementById(fragment) || document.getElementsByName(fragment)[0]);
      if (!target) {
        findings.push({ rule: 'skip-link-target', selector: M.cssPath(skip),
          snippet: M.snippet(skip), detail: fragment });
      }
    } else if (stopsBefore >= 5) {
      findings.push({ rule: 'skip-link', selector: '', snippet: '', detail: String(stopsBefore) });
    }

    // Controls a keyboard cannot reach: visible, enabled, taken out of the tab order, not a
    // roving-tabindex widget, and not a duplicate of a link that can be reached.
    const reachableHrefs = new Set(order.filter((e) => e.localName === 'a').map((e) => e.href));
    const controls = document.querySelectorAll('a[href], button, input, select, textarea, summary');
    for (const el of controls) {
      if (el.tabIndex >= 0 || M.disabled(el) || !M.seen(el) || composite(el)) continue;
      if (el.closest('[aria-hidden="true"]')) continue;
      if (el.localName === 'input' && ['hidden', 'radio'].includes(el.type)) continue;
      if (el.localName === 'a' && reachableHrefs.has(el.href)) continue;
      findings.push({ rule: 'not-keyboard-reachable', selector: M.cssPath(el),
        snippet: M.snippet(el), detail: M.name(el).slice(0, 80) });
    }

    // Things that act on click (or say they are widgets) but cannot get focus at all.
    const widgets = document.querySelectorAll('[onclick], [role=button], [role=link], ' +
      '[role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=switch], [role=option]');
    for (const el of widgets) {
      if (el.matches(M.FOCUSABLE) || !M.seen(el) || composite(el)) continue;
      if (el.closest('[aria-hidden="true"], [aria-disabled="true"]')) continue;
      if (el === document.body || el === document.documentElement) continue;
      // A label passes clicks to its control; a backdrop with nothing to say is mouse sugar.
      if (el.localName === 'label' || !M.name(el)) continue;
      // A wrapper whose click handler also serves a real control inside (or around) it.
      if (el.querySelector(M.FOCUSABLE) || el.parentElement.closest(M.FOCUSABLE)) continue;
      findings.push({ rule: 'click-not-focusable', selector: M.cssPath(el),
        snippet: M.snippet(el), detail: M.name(el).slice(0, 80) });
    }

    // The controls a Tab walk must reach: visible links, buttons and fields (a radio is
    // reached through its group, frames and media through their own insides).
    const expected = order.filter((el) => el.matches('a, button, input, select, textarea, summary, ' +
      '[tabindex]') && !el.matches('input[type=radio], iframe, audio, video, area') &&
      !el.closest('[aria-hidden="true"]') && M.seen(el)).map(idOf);
    start.focus({ preventScroll: true });

    // Bursts: each Tab's keydown, before the key moves focus, logs where the last Tab left
    // it, exactly what "stop" would say after that press. Presses while focus is inside a
    // frame reach the frame's document, not this one: those stops are skipped anyway.
    if (op.bursts) arm();
    return { findings, tabbables: order.length, expected,
      positive: order.filter((e) => e.tabIndex > 0).length };
  }

  function arm() {
    K.log = [];
    K.skipNext = true; // the first keydown finds focus where prepare (or drain) saw it
    K.frames = 0;
    K.onKey = (event) => {
      if (event.key !== 'Tab') return;
      if (K.skipNext) { K.skipNext = false; return; }
      try { K.log.push(stop()); } catch (e) { K.log.push({ id: -1 }); }
    };
    K.onFocus = (event) => { if (event.target && event.target.localName === 'iframe') K.frames += 1; };
    window.addEventListener('keydown', K.onKey, true);
    document.addEventListener('focusin', K.onFocus, true);
  }

  function obscured(el) {
    // 2.4.11: every sampled point of the focused element is under fixed or sticky content.
    // One point in view and not covered settles it, so the rest are not hit-tested.
    const r = el.getBoundingClientRect();
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const xs = [r.left + r.width / 2, r.left + 2, r.right - 2];
    const ys = [r.top + r.height / 2, r.top + 2, r.bottom - 2];
    let cover = null;
    for (const x of xs) {
      for (const y of ys) {
        if (x < 0 || y < 0 || x >= vw || y >= vh) continue;
        const hit = document.elementFromPoint(x, y);
        if (!hit || hit === el || el.contains(hit) || hit.contains(el)) return null;
        if (Array.from(el.labels || []).some((l) => l === hit || l.contains(hit))) return null;
        let node = hit;
        let pinned = null;
        while (node && node.nodeType === 1) {
          const pos = getComputedStyle(node).position;
          if (pos === 'fixed' || pos === 'sticky') { pinned = node; break; }
          node = node.parentElement;
        }
        if (!pinned || pinned.contains(el)) return null;
        cover = pinned;
      }
    }
    return cover ? M.cssPath(cover) : null;
  }

  function pinnedBox(el) {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const pos = getComputedStyle(node).position;
      if (pos === 'fixed' || pos === 'sticky') return true;
    }
    return false;
  }

  function stop() {
    let el = document.activeElement;
    // Inside a web component, the element that really has focus is in its shadow tree.
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body || el === document.documentElement || el === K.start) {
      return { id: 0 };
    }
    if (el.localName === 'iframe') {
      return { id: idOf(el), frame: true, selector: M.cssPath(el), snippet: M.snippet(el) };
    }
    const r = el.getBoundingClientRect();
    const before = K.before.get(el);
    const visible = before ? changed(el, before) : true;
    return {
      id: idOf(el),
      selector: M.cssPath(el),
      snippet: M.snippet(el),
      name: M.name(el).slice(0, 80),
      tabindex: el.tabIndex,
      top: r.top + window.scrollY,
      left: r.left + window.scrollX,
      height: r.height,
      width: r.width,
      pinned: pinnedBox(el),
      domIndex: Array.prototype.indexOf.call(document.getElementsByTagName('*'), el),
      known: !!before,
      visible,
      obscuredBy: obscured(el),
      modal: modal(el),
    };
  }

  function restart() {
    // Back to the start marker, as prepare left it, for a walk one press at a time.
    if (K.onKey) window.removeEventListener('keydown', K.onKey, true);
    if (K.onFocus) document.removeEventListener('focusin', K.onFocus, true);
    K.onKey = null;
    K.onFocus = null;
    if (K.scroll) window.scrollTo(K.scroll[0], K.scroll[1]);
    K.start.focus({ preventScroll: true });
    return true;
  }

  function drain() {
    const now = stop();
    const log = K.log.splice(0);
    const frames = K.frames;
    K.frames = 0;
    // Focus inside a frame: the next keydown goes to the frame, not to this document.
    K.skipNext = !now.frame;
    return { log, now, frames };
  }

  function finish() {
    if (K.onKey) window.removeEventListener('keydown', K.onKey, true);
    if (K.onFocus) document.removeEventListener('focusin', K.onFocus, true);
    const style = document.getElementById('__council-monitor-keyboard-style');
    if (style) style.remove();
    if (K.start) K.start.remove();
    const active = document.activeElement;
    if (active && active !== document.body && active.blur) active.blur();
    if (K.scroll) window.scrollTo(K.scroll[0], K.scroll[1]);
    delete window.__councilKeyboard;
    return true;
  }

  if (op.do === 'prepare') return prepare();
  if (op.do === 'stop') return stop();
  if (op.do === 'drain') return drain();
  if (op.do === 'restart') return restart();
  return finish();
}
