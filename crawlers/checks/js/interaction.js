// The interaction check's in-page part: (op, M) => result. It acts as a resident would,
// without ever leaving the page: every navigation the page starts meanwhile is recorded and
// cancelled (the Navigation API's navigate event), form submissions are recorded and
// stopped, window.open is recorded and refused.
// op.do: "change" (choose another option of each select, and change each field that has
// an inline change handler: does the page go somewhere or submit?), "hover" (move the
// mouse over elements with inline mouse handlers: do links appear that focus does not show?).
async (op, M) => {
  const settle = () => new Promise((done) => setTimeout(done, 60));
  const attempts = [];
  const onNavigate = (event) => {
    attempts.push({ kind: 'navigate', url: event.destination ? event.destination.url : '' });
    if (event.cancelable) event.preventDefault();
  };
  const onSubmit = (event) => { attempts.push({ kind: 'submit', url: '' }); event.preventDefault(); };
  const realOpen = window.open;
  const realSubmit = HTMLFormElement.prototype.submit;
  const guard = () => {
    if (window.navigation) window.navigation.addEventListener('navigate', onNavigate);
    window.addEventListener('submit', onSubmit, true);
    window.open = (url) => { attempts.push({ kind: 'window', url: String(url || '') }); return null; };
    HTMLFormElement.prototype.submit = function submit() {
      attempts.push({ kind: 'submit', url: this.action || '' });
    };
  };
  const release = () => {
    if (window.navigation) window.navigation.removeEventListener('navigate', onNavigate);
    window.removeEventListener('submit', onSubmit, true);
    window.open = realOpen;
    HTMLFormElement.prototype.submit = realSubmit;
  };
  const left = (before) => attempts.slice(before).filter((a) => {
    if (a.kind !== 'navigate') return true;
    try {
      const to = new URL(a.url, location.href);
      // Moving to a fragment of this page is not a change of context.
      return !(to.origin + to.pathname + to.search === location.origin + location.pathname +
        location.search);
    } catch (e) { return true; }
  });

  const found = [];
  if (!window.navigation) return { found, supported: false };
  guard();
  try {
    if (op.do === 'change') {
      const fields = Array.from(document.querySelectorAll('select, input[onchange], input[oninput], ' +
        'textarea[onchange]')).filter((el) => !M.disabled(el) && M.rendered(el)).slice(0, op.limit);
      for (const el of fields) {
        const before = attempts.length;
        if (el.localName === 'select') {
          const index = Array.from(el.options).findIndex((o, i) => i !== el.selectedIndex && !o.disabled);
          if (index < 0) continue;
          const was = el.selectedIndex;
          el.selectedIndex = index;
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
          await settle();
          el.selectedIndex = was;
        } else if (el.type === 'checkbox' || el.type === 'radio') {
          const was = el.checked;
          el.checked = !was;
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
          await settle();
          el.checked = was;
        } else {
          const was = el.value;
          el.value = was + 'a';
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
          await settle();
          el.value = was;
        }
        const went = left(before);
        if (went.length) {
          found.push({ rule: 'change-of-context', selector: M.cssPath(el), snippet: M.snippet(el),
            detail: { name: (Array.from(el.labels || []).map(M.text).join(' ') ||
              el.getAttribute('aria-label') || el.name || el.localName).slice(0, 80),
              how: went[0].kind, url: went[0].url.slice(0, 200) } });
        }
      }
    } else if (op.do === 'hover') {
      const shown = () => new Set(Array.from(document.querySelectorAll('a[href], button'))
        .filter((a) => M.rendered(a)));
      const owners = Array.from(document.querySelectorAll('[onmouseover], [onmouseenter]'))
        .filter((el) => M.rendered(el)).slice(0, op.limit);
      for (const el of owners) {
        const before = shown();
        el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
        el.dispatchEvent(new MouseEvent('mouseenter', { bubbles: false }));
        await settle();
        const appeared = Array.from(shown()).filter((a) => !before.has(a));
        el.dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));
        el.dispatchEvent(new MouseEvent('mouseleave', { bubbles: false }));
        await settle();
        if (!appeared.length) continue;
        // Does keyboard focus on the element (or the first control in it) show them too?
        const target = el.matches(M.FOCUSABLE) ? el : el.querySelector(M.FOCUSABLE);
        let byFocus = false;
        if (target && M.tabbable(target)) {
          target.focus({ preventScroll: true });
          await settle();
          byFocus = appeared.every((a) => M.rendered(a));
          target.blur();
          await settle();
        }
        const elsewhere = new Set(Array.from(document.querySelectorAll('a[href]'))
          .filter((a) => M.rendered(a)).map((a) => a.href));
        if (!byFocus && !appeared.every((a) => a.href && elsewhere.has(a.href))) {
          found.push({ rule: 'mouse-only-content', selector: M.cssPath(el), snippet: M.snippet(el),
            detail: { name: M.text(el.firstElementChild && !appeared.includes(el.firstElementChild)
              ? el.firstElementChild : el).slice(0, 80), links: appeared.length } });
        }
      }
    }
  } finally {
    release();
  }
  return { found, supported: true };
}
