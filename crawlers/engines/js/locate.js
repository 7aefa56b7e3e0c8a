// Finds elements as residents and assistive technology do: by role and accessible name, by
// label, or by text, with CSS as a fallback; the same rules as Playwright's getByRole,
// getByLabel and getByText, for engines without them (the Selenium engine's journeys).
// (target) => {count, visible} and marks the first match with data-council-monitor-found.
(target) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const matches = (actual, wanted, exact) => {
    const a = norm(actual);
    const w = norm(wanted);
    return exact ? a === w : a.toLowerCase().includes(w.toLowerCase());
  };
  const hidden = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      if (n.hidden || n.getAttribute('aria-hidden') === 'true') return true;
      const s = getComputedStyle(n);
      if (s.display === 'none') return true;
    }
    return getComputedStyle(el).visibility === 'hidden';
  };
  const visible = (el) => {
    if (hidden(el)) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const INPUT_ROLES = {
    button: 'button', submit: 'button', reset: 'button', image: 'button',
    checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton',
    search: 'searchbox', email: 'textbox', tel: 'textbox', text: 'textbox', url: 'textbox',
    '': 'textbox',
  };
  const role = (el) => {
    const explicit = norm(el.getAttribute('role')).split(' ')[0];
    if (explicit) return explicit;
    const tag = el.localName;
    if (tag === 'a' || tag === 'area') return el.hasAttribute('href') ? 'link' : '';
    if (tag === 'button') return 'button';
    if (tag === 'input') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (type === 'hidden' || type === 'password') return '';
      return INPUT_ROLES[type] || 'textbox';
    }
    if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'textarea') return 'textbox';
    if (/^h[1-6]$/.test(tag)) return 'heading';
    if (tag === 'img') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    const simple = { ul: 'list', ol: 'list', li: 'listitem', nav: 'navigation', main: 'main',
      table: 'table', tr: 'row', td: 'cell', th: 'columnheader', option: 'option',
      dialog: 'dialog', fieldset: 'group', progress: 'progressbar', aside: 'complementary',
      article: 'article', summary: 'button' };
    if (simple[tag]) return simple[tag];
    if (tag === 'header' && !el.closest('article, aside, main, nav, section')) return 'banner';
    if (tag === 'footer' && !el.closest('article, aside, main, nav, section')) {
      return 'contentinfo';
    }
    if ((tag === 'form' || tag === 'section') &&
        (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'))) {
      return tag === 'form' ? 'form' : 'region';
    }
    return '';
  };
  const FROM_CONTENT = new Set(['button', 'link', 'heading', 'checkbox', 'radio', 'option',
    'listitem', 'cell', 'columnheader', 'rowheader', 'tab', 'menuitem', 'menuitemcheckbox',
    'menuitemradio', 'treeitem', 'switch', 'tooltip', 'row']);
  const textOf = (el) => {
    let out = '';
    for (const node of el.childNodes) {
      if (node.nodeType === 3) out += node.nodeValue;
      else if (node.nodeType === 1 && !hidden(node)) {
        if (node.localName === 'img') out += ' ' + (node.getAttribute('alt') || '') + ' ';
        else out += ' ' + textOf(node) + ' ';
      }
    }
    return norm(out);
  };
  const byIds = (el, attr) => norm((el.getAttribute(attr) || '').split(/\s+/)
    .map((id) => id && document.getElementById(id)).filter(Boolean)
    .map((n) => textOf(n)).join(' '));
  const labelsOf = (el) => norm(Array.from(el.labels || [], (l) => textOf(l)).join(' '));
  const name = (el, r) => {
    const by = byIds(el, 'aria-labelledby');
    if (by) return by;
    const aria = norm(el.getAttribute('aria-label'));
    if (aria) return aria;
    if (el.localName === 'input') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (['button', 'submit', 'reset'].includes(type)) {
        return norm(el.value) || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : '');
      }
      if (type === 'image') return norm(el.getAttribute('alt')) || 'Submit';
    }
    const labelled = labelsOf(el);
    if (labelled) return labelled;
    if (el.localName === 'img') return norm(el.getAttribute('alt'));
    if (el.localName === 'fieldset') {
      const legend = el.querySelector(':scope > legend');
      if (legend) return textOf(legend);
    }
    if (FROM_CONTENT.has(r)) {
      const content = textOf(el);
      if (content) return content;
    }
    return norm(el.getAttribute('title'));
  };
  const all = Array.from(document.querySelectorAll('*'));
  let found = [];
  if (target.role) {
    found = all.filter((el) => role(el) === target.role && !hidden(el) &&
      (target.name == null || matches(name(el, target.role), target.name, target.exact)));
  } else if (target.label) {
    found = all.filter((el) => {
      const label = byIds(el, 'aria-labelledby') || norm(el.getAttribute('aria-label')) ||
        labelsOf(el);
      return label && matches(label, target.label, target.exact);
    });
  } else if (target.text) {
    const candidates = all.filter((el) => !['script', 'style', 'head', 'title', 'html']
      .includes(el.localName) && matches(textOf(el), target.text, target.exact));
    // The innermost element holding the text, as Playwright's getByText picks.
    found = candidates.filter((el) => !candidates.some((o) => o !== el && el.contains(o)));
  }
  if (target.css) {
    let extra = [];
    try { extra = Array.from(document.querySelectorAll(target.css)); } catch (e) { extra = []; }
    const union = new Set([...found, ...extra]);
    found = all.filter((el) => union.has(el));
  }
  for (const old of document.querySelectorAll('[data-council-monitor-found]')) {
    old.removeAttribute('data-council-monitor-found');
  }
  if (!found.length) return { count: 0, visible: false };
  found[0].setAttribute('data-council-monitor-found', '');
  return { count: found.length, visible: visible(found[0]) };
}
