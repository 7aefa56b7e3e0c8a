// The reflow check's in-page part: (op, M) => result.
// op.do: "measure" (clipped text and overlaps in the main content, page overflow),
// "spacing-on"/"spacing-off" (the WCAG 1.4.12 text-spacing overrides), "tooltips",
// "tooltip-shown", "scroll" (back to op.to), "before" (in one call: a measure of the page as
// it is, one with text spacing, and the tooltips). op.settle: first let the page settle
// after a resize, as the check's SETTLE does, in the same call.
(op, M) => {
  const SPACING_ID = '__council-monitor-text-spacing';
  // Two-dimensional content that may scroll sideways at 320 px (1.4.10's exception).
  // Images are exempt too: a script cannot tell a photo from a diagram that needs its size.
  const EXEMPT = 'table, pre, code, samp, kbd, iframe, canvas, video, svg, math, map, ' +
    'img, picture, object, embed, ' +
    '[role=application], [role=grid], [role=img], [data-two-dimensional]';

  function mainContent() {
    return document.querySelector('main, [role=main]') || document.body;
  }

  function hasOwnText(el) {
    return Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  }

  function scrolls(el) {
    const s = getComputedStyle(el);
    return /auto|scroll/.test(s.overflowX) || /auto|scroll/.test(s.overflowY);
  }

  function textBlocks(root) {
    // Bounded: the first 600 elements with text of their own, on big pages.
    return Array.from(root.querySelectorAll('*'))
      .filter((el) => hasOwnText(el) && !el.closest('script, style, noscript, template'))
      .slice(0, 600)
      .filter((el) => M.seen(el));
  }

  function clipped(root, blocks) {
    // Text cut off: a box that hides overflow is smaller than the text inside it.
    const out = {};
    for (const el of blocks) {
      let node = el;
      for (let depth = 0; depth < 3 && node && node !== root.parentElement; depth += 1) {
        const s = getComputedStyle(node);
        const hides = /hidden|clip/.test(s.overflowX + s.overflowY) || s.textOverflow === 'ellipsis';
        const r = node.getBoundingClientRect();
        if (hides && r.width > 2 && r.height > 2 && !scrolls(node)) {
          const overX = node.scrollWidth > node.clientWidth + 2 && /hidden|clip/.test(s.overflowX);
          const overY = node.scrollHeight > node.clientHeight + 2 && /hidden|clip/.test(s.overflowY);
          if (overX || overY) {
            out[M.cssPath(node)] = { selector: M.cssPath(node), snippet: M.snippet(node),
              text: M.text(node).slice(0, 80) };
            break;
          }
        }
        node = node.parentElement;
      }
    }
    return out;
  }

  function overlaps(blocks) {
    // Pairs of text boxes drawn over one another (neither inside the other).
    const boxes = [];
    for (const el of blocks) {
      if (el.closest('[aria-hidden="true"]')) continue;
      // Its own text only: a descendant's text is judged as its own block when it is seen,
      // and a visually hidden one (clipped to a pixel) draws nothing, though a range over
      // it still reports the boxes its text would fill.
      const rects = [];
      for (const node of el.childNodes) {
        if (node.nodeType !== 3 || !node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        rects.push(...Array.from(range.getClientRects()).filter((r) => r.width > 1 && r.height > 1));
      }
      if (rects.length) {
        const box = rects.slice(0, 20);
        boxes.push({ el, rects: box, left: Math.min(...box.map((r) => r.left)),
          right: Math.max(...box.map((r) => r.right)), top: Math.min(...box.map((r) => r.top)),
          bottom: Math.max(...box.map((r) => r.bottom)) });
      }
      if (boxes.length >= 250) break;
    }
    const out = {};
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top) {
          continue;
        }
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        let hit = false;
        for (const p of a.rects) {
          for (const q of b.rects) {
            const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
            const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            const smaller = Math.min(p.width * p.height, q.width * q.height);
            if (w > 2 && h > 2 && w * h > Math.max(30, 0.25 * smaller)) { hit = true; break; }
          }
          if (hit) break;
        }
        if (hit) {
          const key = M.cssPath(a.el) + ' ~ ' + M.cssPath(b.el);
          out[key] = { selector: M.cssPath(b.el), snippet: M.snippet(b.el),
            text: M.text(b.el).slice(0, 80), other: M.text(a.el).slice(0, 80) };
        }
      }
    }
    return out;
  }

  function sideways() {
    // Page-level horizontal scrolling, and the elements that stick out to cause it.
    const width = document.documentElement.clientWidth;
    const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    const culprits = [];
    if (scrollWidth <= width + 1) return { scrolls: false, width, scrollWidth, culprits };
    for (const el of document.body.querySelectorAll('*')) {
      if (!M.rendered(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.right + window.scrollX <= width + 1 || r.width < 2 || r.height < 2) continue;
      const parent = el.parentElement;
      const pr = parent.getBoundingClientRect();
      if (parent !== document.body && pr.right + window.scrollX > width + 1) continue;
      // Only what makes the page itself scroll: not content clipped or scrolled by a box.
      let contained = false;
      for (let a = parent; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX !== 'visible') { contained = true; break; }
      }
      if (contained || getComputedStyle(el).position === 'fixed') continue;
      if (el.matches(EXEMPT) || el.closest(EXEMPT) || el.querySelector(EXEMPT)) {
        if (!el.closest(EXEMPT) && el.querySelector(EXEMPT)) {
          // A wrapper around a wide table: exempt only if the table is what is wide.
          const inner = el.querySelector(EXEMPT).getBoundingClientRect();
          if (inner.right + window.scrollX > width + 1) continue;
        } else {
          continue;
        }
      }
      culprits.push({ selector: M.cssPath(el), snippet: M.snippet(el),
        right: Math.round(r.right + window.scrollX) });
      if (culprits.length >= 5) break;
    }
    return { scrolls: true, width, scrollWidth, culprits };
  }

  function spacingOn() {
    if (!document.getElementById(SPACING_ID)) {
      const style = document.createElement('style');
      style.id = SPACING_ID;
      style.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; ' +
        'word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';
      document.head.appendChild(style);
    }
    return true;
  }

  function spacingOff() {
    const style = document.getElementById(SPACING_ID);
    if (style) style.remove();
    return true;
  }

  function tooltips() {
    // Triggers of content shown on focus: aria-describedby pointing at a role=tooltip.
    const found = [];
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      const ids = el.getAttribute('aria-describedby').split(/\s+/);
      const tip = ids.map((id) => document.getElementById(id))
        .find((t) => t && t.getAttribute('role') === 'tooltip');
      if (tip && M.tabbable(el) && !M.seen(tip)) {
        found.push({ selector: M.cssPath(el), tip: M.cssPath(tip), snippet: M.snippet(el) });
      }
      if (found.length >= 5) break;
    }
    return found;
  }

  function measure(want) {
    const root = mainContent();
    // One list of text blocks for both measures: nothing changes the page in between.
    const blocks = want.clipped || want.overlaps ? textBlocks(root) : [];
    return {
      clipped: want.clipped ? clipped(root, blocks) : {},
      overlaps: want.overlaps ? overlaps(blocks) : {},
      sideways: want.sideways ? sideways() : null,
      scroll: [window.scrollX, window.scrollY],
    };
  }

  function act() {
    if (op.do === 'spacing-on') return spacingOn();
    if (op.do === 'spacing-off') return spacingOff();
    if (op.do === 'tooltips') return tooltips();
    if (op.do === 'before') {
      const baseline = measure({ clipped: true, overlaps: true });
      spacingOn();
      let spaced;
      try {
        spaced = measure({ clipped: true });
      } finally {
        spacingOff();
      }
      return { baseline, spaced, tooltips: tooltips() };
    }
    if (op.do === 'focus') {
      const el = document.querySelector(op.selector);
      if (el) el.focus({ preventScroll: true });
      return !!el && document.activeElement === el;
    }
    if (op.do === 'tooltip-shown') {
      const tip = document.querySelector(op.selector);
      return !!tip && M.seen(tip);
    }
    if (op.do === 'blur') {
      const active = document.activeElement;
      if (active && active !== document.body && active.blur) active.blur();
      return true;
    }
    if (op.do === 'scroll') {
      window.scrollTo(op.to[0], op.to[1]);
      return true;
    }
    return measure(op);
  }

  if (!op.settle) return act();
  // Two animation frames (or 100 ms), then a task of its own: what the page has when the
  // SETTLE call returns and the next call into the page starts.
  return new Promise((done) => {
    const t = setTimeout(() => done(true), 100);
    requestAnimationFrame(() => requestAnimationFrame(() => { clearTimeout(t); done(true); }));
  }).then(() => new Promise((done) => setTimeout(done, 0))).then(act);
}
