// Helpers shared by the in-page scripts of the keyboard, reflow and page-structure checks.
// Installed once per document as window.__councilMonitor; every script starts with it.
if (!window.__councilMonitor) {
  const FOCUSABLE = 'a[href], area[href], button, input, select, textarea, summary, iframe, ' +
    '[tabindex], [contenteditable]:not([contenteditable="false"]), audio[controls], video[controls]';
  const M = {
    FOCUSABLE,
    cssPath(el) {
      if (!(el instanceof Element)) return '';
      if (el.id && document.querySelectorAll('#' + CSS.escape(el.id)).length === 1) {
        return '#' + CSS.escape(el.id);
      }
      const parts = [];
      let node = el;
      while (node && node.nodeType === 1 && node !== document.documentElement) {
        if (node.id && document.querySelectorAll('#' + CSS.escape(node.id)).length === 1) {
          parts.unshift('#' + CSS.escape(node.id));
          break;
        }
        let part = node.localName;
        let index = 1;
        for (let s = node.previousElementSibling; s; s = s.previousElementSibling) {
          if (s.localName === node.localName) index += 1;
        }
        let alone = index === 1;
        for (let s = node.nextElementSibling; alone && s; s = s.nextElementSibling) {
          if (s.localName === node.localName) alone = false;
        }
        if (!alone) part += `:nth-of-type(${index})`;
        parts.unshift(part);
        node = node.parentElement;
      }
      return parts.join(' > ');
    },
    snippet(el) {
      if (!(el instanceof Element)) return '';
      const html = el.outerHTML || '';
      const open = html.slice(0, html.indexOf('>') + 1);
      const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80);
      return (open + text).slice(0, 300);
    },
    rendered(el) {
      // Rendered at all (display, visibility, hidden ancestors); clipped elements count.
      if (!(el instanceof Element) || !el.isConnected) return false;
      if (el.closest('[hidden], [inert]')) return false;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.visibility === 'collapse') return false;
      if (typeof el.checkVisibility === 'function') {
        return el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true });
      }
      return el.getClientRects().length > 0;
    },
    seen(el) {
      // Visible to a sighted user: rendered, with area, not clipped to a dot, not transparent.
      if (!M.rendered(el)) return false;
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) return false;
      let node = el;
      while (node && node.nodeType === 1) {
        const s = getComputedStyle(node);
        if (parseFloat(s.opacity) === 0) return false;
        if (s.clip && s.clip !== 'auto' && /rect\(0(px)?,? 0(px)?/.test(s.clip)) return false;
        if (s.clipPath && /inset\(50%\)/.test(s.clipPath)) return false;
        if (node !== el && node !== document.body && s.overflow !== 'visible') {
          // Scrolled or clipped out of sight by a box (a carousel's other slides).
          const b = node.getBoundingClientRect();
          if (r.right <= b.left || r.left >= b.right || r.bottom <= b.top || r.top >= b.bottom) {
            return false;
          }
        }
        node = node.parentElement;
      }
      // Off the page altogether (moved far left or up, out of reach of scrolling).
      if (r.right + window.scrollX <= 0 || r.bottom + window.scrollY <= 0) return false;
      return true;
    },
    disabled(el) {
      return el.matches(':disabled') || el.closest('fieldset:disabled') !== null;
    },
    tabbable(el) {
      // In the sequential focus order, as the browser would build it (approximately).
      if (!el.matches(FOCUSABLE) || M.disabled(el) || !M.rendered(el)) return false;
      if (el.localName === 'input' && el.type === 'hidden') return false;
      if (el.localName === 'a' || el.localName === 'area') {
        if (!el.hasAttribute('href') && !el.hasAttribute('tabindex')) return false;
      }
      return el.tabIndex >= 0;
    },
    tabbables() {
      const found = Array.from(document.querySelectorAll(FOCUSABLE)).filter(M.tabbable);
      const positive = found.filter((e) => e.tabIndex > 0).sort((a, b) => a.tabIndex - b.tabIndex);
      return positive.concat(found.filter((e) => e.tabIndex === 0));
    },
    text(el) {
      return (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
    },
    name(el) {
      // A rough accessible name: enough to recognise "Skip to main content" and link texts.
      const label = el.getAttribute('aria-label');
      if (label && label.trim()) return label.trim();
      const by = el.getAttribute('aria-labelledby');
      if (by) {
        const text = by.split(/\s+/).map((id) => document.getElementById(id))
          .filter(Boolean).map((n) => (n.textContent || '').trim()).join(' ');
        if (text.trim()) return text.replace(/\s+/g, ' ').trim();
      }
      const own = (el.textContent || '').replace(/\s+/g, ' ').trim();
      if (own) return own;
      const img = el.querySelector('img[alt]');
      if (img) return img.getAttribute('alt').trim();
      return (el.getAttribute('title') || '').trim();
    },
  };
  Object.defineProperty(window, '__councilMonitor', { value: M, configurable: true });
}
