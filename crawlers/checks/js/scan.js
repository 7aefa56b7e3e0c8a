// The shared read-only scan: (arg, M) => { found: [...], blocks: [...] }.
// One call into the page, one walk of the DOM (elements bucketed by kind), computed styles
// read once per element; it only reads, so it never changes the page or its layout. Each
// item of `found` is a candidate finding { rule, selector, snippet, detail } that a check
// module in Python turns into a finding with its criteria, impact and outcome; `blocks` are
// passages of text with their language, for the language check.
(arg, M) => {
  const found = [];
  const styles = new Map();
  const cs = (el) => {
    let s = styles.get(el);
    if (!s) { s = getComputedStyle(el); styles.set(el, s); }
    return s;
  };
  const add = (rule, el, detail) => {
    if (found.length >= 400) return;  // a pathological page: enough to act on
    found.push({ rule, selector: el ? M.cssPath(el) : '', snippet: el ? M.snippet(el) : '',
      detail: detail || {} });
  };
  const norm = (t) => (t || '').toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/&/g, ' and ').replace(/[^\p{L}\p{N}\s']/gu, ' ').replace(/\s+/g, ' ').trim();
  const hidden = (el) => !M.rendered(el) || !!el.closest('[aria-hidden="true"]');
  const textOf = (el) => (el ? (el.textContent || '').replace(/\s+/g, ' ').trim() : '');
  const byIds = (ids) => (ids || '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean);
  const rgb = (value) => {
    const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)/
      .exec(value || '');
    if (!m) return null;
    let alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith('%')) alpha /= 100;
    return [+m[1], +m[2], +m[3], alpha];
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const reddish = (c) => {
    if (!c || c[3] === 0) return false;
    const [r, g, b] = c;
    return r >= 150 && r - Math.max(g, b) >= 80;
  };
  const weight = (s) => parseInt(s.fontWeight, 10) || (s.fontWeight === 'bold' ? 700 : 400);

  const body = document.body;
  const all = body ? body.getElementsByTagName('*') : [];
  const kinds = {};
  for (const el of all) (kinds[el.localName] || (kinds[el.localName] = [])).push(el);
  const of = (...names) => names.flatMap((n) => kinds[n] || []);

  // The size of body text: the commonest font size of paragraphs with a sentence in them.
  const sizes = new Map();
  for (const p of of('p', 'li', 'dd').slice(0, 300)) {
    if (textOf(p).length < 40 || hidden(p)) continue;
    const size = Math.round(parseFloat(cs(p).fontSize));
    sizes.set(size, (sizes.get(size) || 0) + 1);
  }
  const bodySize = sizes.size ? Array.from(sizes).sort((a, b) => b[1] - a[1])[0][0]
    : parseFloat(body ? cs(body).fontSize : '16') || 16;

  // ---- 1.1.1 text alternatives; image links and buttons ---------------------------------
  const GENERIC_ALT = new Set(arg.genericAlt);
  const FILE_NAME = /^[^\s/\\]+\.(png|jpe?g|gif|svg|webp|bmp|tiff?|avif|ico|heic)$/i;
  const CAMERA = /^(img|image|dsc|dscn|pxl|photo|pic|screenshot|screen shot)[\s_-]*\d{2,}/i;
  const GENERIC_LINK = new Set(arg.genericLink);
  for (const img of of('img', 'input')) {
    if (img.localName === 'input' && img.type !== 'image') continue;
    if (hidden(img)) continue;
    const alt = (img.getAttribute('alt') || '').trim();
    if (!alt) continue;  // a missing or empty alt is axe's
    const plain = norm(alt);
    const src = (img.getAttribute('src') || '').split(/[?#]/)[0].split('/').pop() || '';
    const kind = FILE_NAME.test(alt) || CAMERA.test(alt) ||
      (src && alt.toLowerCase() === decodeURIComponent(src).toLowerCase()) ? 'file'
      : GENERIC_ALT.has(plain) ? 'generic' : null;
    const control = img.localName === 'input' ? img : img.closest('a[href], button');
    if (control) {
      const own = control === img ? '' : norm(textOf(control));
      const label = norm(control.getAttribute('aria-label') || '');
      if (!own && !label && (kind || GENERIC_LINK.has(plain))) {
        add(control.localName === 'a' ? 'image-link-unclear' : 'image-button-unclear', control,
          { alt });
      } else if (own && own === plain) {
        add('alt-repeats-text', img, { alt });
      }
      continue;
    }
    if (kind) {
      add(kind === 'file' ? 'alt-file-name' : 'alt-generic', img, { alt });
      continue;
    }
    // Text right beside the image (its caption, the element before or after it).
    const figure = img.closest('figure');
    const beside = [figure && figure.querySelector('figcaption'), img.nextElementSibling,
      img.previousElementSibling].filter((n) => n && !n.contains(img));
    if (plain.split(' ').length >= 2 && beside.some((n) => norm(textOf(n)) === plain)) {
      add('alt-repeats-text', img, { alt });
    }
  }

  // ---- 1.2.x, 1.4.2, 2.2.2 media ---------------------------------------------------------
  const PAUSE = /\b(pause|stop|play|mute|freeze|atal|oedi)\b/i;
  const controlNames = of('button', 'a', 'input', 'div', 'span')
    .filter((el) => el.matches('button, a[href], input[type=button], [role=button]'))
    .map((el) => M.name(el) + ' ' + (el.value || '') + ' ' + (el.className || ''));
  const hasPauseControl = controlNames.some((n) => PAUSE.test(n));
  const transcriptNear = (el) => {
    let box = el.parentElement;
    for (let i = 0; i < 4 && box && box !== body; i += 1, box = box.parentElement) {
      if (/transcript|trawsgrifiad|text version|audio description/i.test(textOf(box))) return true;
    }
    return false;
  };
  for (const media of of('video', 'audio')) {
    if (media.localName === 'video' && hidden(media)) continue;
    const autoplay = media.autoplay || (!media.paused && !media.ended);
    const silent = media.muted || media.volume === 0;
    const long = !(media.duration <= 3) || media.loop;  // NaN (not loaded yet) counts as long
    if (autoplay && !silent && long) add('media-autoplay-sound', media, { tag: media.localName });
    if (media.localName === 'video' && autoplay && !media.controls && !hasPauseControl &&
        (!(media.duration <= 5) || media.loop)) {
      add('media-autoplay-motion', media, {});
    }
    if (media.localName === 'video' &&
        !media.querySelector('track[kind=captions], track[kind=subtitles]')) {
      add('video-no-captions', media, {});
    }
    if (!transcriptNear(media)) add('media-no-transcript', media, { tag: media.localName });
  }
  const PLAYER = /youtube(-nocookie)?\.com\/embed|player\.vimeo\.com|dailymotion\.com\/embed|brightcove|kaltura|jwplayer|soundcloud\.com\/player|open\.spotify\.com\/embed|ted\.com\/talks|facebook\.com\/plugins\/video/i;
  for (const frame of of('iframe')) {
    if (hidden(frame) || !PLAYER.test(frame.src || '')) continue;
    add('embedded-media-review', frame, { src: (frame.src || '').slice(0, 200),
      transcript: transcriptNear(frame), autoplay: /[?&]autoplay=1/.test(frame.src || '') });
  }

  // ---- 1.3.1 tables -----------------------------------------------------------------------
  for (const table of of('table')) {
    if (hidden(table)) continue;
    const role = (table.getAttribute('role') || '').trim().toLowerCase();
    const own = (sel) => Array.from(table.querySelectorAll(sel)).filter((c) => c.closest('table') === table);
    const ths = own('th, [role=columnheader], [role=rowheader]');
    if (role === 'presentation' || role === 'none') {
      const what = [];
      if (ths.length) what.push('header cells (th)');
      if (table.caption && textOf(table.caption)) what.push('a caption');
      if ((table.getAttribute('summary') || '').trim()) what.push('a summary');
      if (what.length) add('layout-table-semantics', table, { what });
      continue;
    }
    if (role && role !== 'table' && role !== 'grid' && role !== 'treegrid') continue;
    const rows = Array.from(table.rows).filter((r) => r.closest('table') === table && !hidden(r));
    const cols = Math.max(0, ...rows.map((r) => r.cells.length));
    if (rows.length < 2 || cols < 2) continue;
    if (ths.length) {
      // Headers in more than one row, or spanning cells, need scope or headers/id.
      const headerRows = rows.filter((r) => Array.from(r.cells).some((c) => c.localName === 'th'));
      const spanning = ths.some((c) => c.colSpan > 1 || c.rowSpan > 1);
      const topRows = headerRows.filter((r) => Array.from(r.cells).every((c) => c.localName === 'th'));
      const associated = ths.every((c) => c.hasAttribute('scope') || c.id) ||
        own('td').every((c) => c.hasAttribute('headers'));
      if ((topRows.length > 1 || spanning) && !associated) {
        add('table-headers-not-associated', table, { headerRows: topRows.length });
      }
      continue;
    }
    const nested = own('table').length > 0 || table.querySelector('table');
    const controls = table.querySelector('input, select, textarea, button, form, iframe');
    const first = Array.from(rows[0].cells);
    const looksLikeHeaders = first.every((c) => textOf(c)) && (
      first.every((c) => weight(cs(c)) >= 600 ||
        (c.firstElementChild && c.firstElementChild.matches('b, strong') &&
         textOf(c.firstElementChild) === textOf(c))) ||
      (rows[1] && cs(rows[0]).backgroundColor !== cs(rows[1]).backgroundColor &&
       cs(first[0]).backgroundColor !== cs(rows[1].cells[0] || first[0]).backgroundColor));
    const declared = !!(table.tHead || (table.caption && textOf(table.caption)) ||
      (table.getAttribute('summary') || '').trim());
    if (nested) continue;  // a layout table of the 2000s: judged by its own content
    if (looksLikeHeaders || declared) {
      add('table-no-headers', table, { visual: looksLikeHeaders, rows: rows.length, cols });
    } else if (!controls && rows.length >= 3) {
      add('table-no-headers-review', table, { rows: rows.length, cols });
    }
  }

  // ---- 1.3.1 text that looks like a heading; lists faked with bullets ---------------------
  const HEADING_LIKE = 'h1, h2, h3, h4, h5, h6, [role=heading], label, legend, button, a, ' +
    'summary, caption, th, td, dt, figcaption, nav, header, footer, [role=button], ' +
    '[role=alert], [role=status], input, select, textarea, li, table, dialog';
  // A caption sits right above its heading (GOV.UK's govuk-caption-l): not a heading itself.
  const headingsAround = (el) => {
    const next = el.nextElementSibling;
    return !!next && next.matches('h1, h2, h3, h4, h5, h6, [role=heading]');
  };
  for (const el of of('p', 'div', 'span', 'strong', 'b', 'font')) {
    const text = textOf(el);
    if (text.length < 3 || text.length > 80 || /[.,;!?]$/.test(text)) continue;
    if (el.closest(HEADING_LIKE)) continue;
    if (el.querySelector('a, button, input, select, textarea, img, svg, br, p, div, li, table')) continue;
    const s = cs(el);
    if (!(s.display === 'block' || (el.parentElement &&
        el.parentElement.childNodes.length === 1 && cs(el.parentElement).display === 'block'))) {
      continue;
    }
    const size = parseFloat(s.fontSize);
    const bold = weight(s) >= 600;
    const ratio = size / bodySize;
    if (!(ratio >= 1.2 || (bold && ratio >= 0.95))) continue;
    if (headingsAround(el) || hidden(el)) continue;
    // Error messages, hints and notices are bold or large on purpose, and are not headings.
    if (/error|message|hint|alert|warning|notice|tag|caption|label/i.test(el.className + ' ' + el.id) ||
        el.closest('[role=alert], [role=status], [aria-live]') || reddish(rgb(s.color))) continue;
    // It heads something: a paragraph or list of ordinary text comes after it.
    let next = el.nextElementSibling || (el.parentElement && el.parentElement.childNodes.length === 1
      ? el.parentElement.nextElementSibling : null);
    if (!next || !next.matches('p, ul, ol, div, dl, table') || textOf(next).length < 20 ||
        next.querySelector('input, select, textarea')) continue;
    if (parseFloat(cs(next).fontSize) >= size && weight(cs(next)) >= weight(s)) continue;
    if (el.parentElement && el.parentElement.closest('[class*=banner], [class*=panel], [role=region]') &&
        !bold) continue;
    add(ratio >= 1.4 && bold ? 'heading-not-marked-up' : 'heading-not-marked-up-review', el,
      { text: text.slice(0, 80), ratio: Math.round(ratio * 100) / 100, bold });
  }
  const BULLET = /^\s*[•●◦▪■►‣⁃▸➢✓✔]\s*/;
  const LOOSE = /^\s*([-*–]|\d{1,2}[.)])\s+\S/;
  for (const el of of('p', 'div', 'td', 'span')) {
    if (!el.querySelector(':scope > br') || el.closest('li, pre, code, address') || hidden(el)) continue;
    const lines = (el.innerText || '').split('\n').map((l) => l.trim()).filter(Boolean);
    const bullets = lines.filter((l) => BULLET.test(l)).length;
    const loose = lines.filter((l) => LOOSE.test(l)).length;
    if (bullets >= 2) add('list-not-marked-up', el, { lines: bullets, how: 'line breaks' });
    else if (loose >= 3) add('list-not-marked-up-review', el, { lines: loose, how: 'line breaks' });
  }
  const seenRuns = new Set();
  for (const p of of('p', 'div')) {
    if (seenRuns.has(p) || hidden(p) || p.closest('li, pre')) continue;
    const start = textOf(p);
    const glyph = BULLET.test(start) ? 'bullet' : LOOSE.test(start) ? 'loose' : null;
    if (!glyph) continue;
    let run = 1;
    for (let n = p.nextElementSibling; n && n.localName === p.localName; n = n.nextElementSibling) {
      const t = textOf(n);
      if (!(glyph === 'bullet' ? BULLET.test(t) : LOOSE.test(t))) break;
      seenRuns.add(n);
      run += 1;
    }
    if (glyph === 'bullet' && run >= 2) add('list-not-marked-up', p, { lines: run, how: 'paragraphs' });
    else if (glyph === 'loose' && run >= 3) {
      add('list-not-marked-up-review', p, { lines: run, how: 'paragraphs' });
    }
  }

  // ---- forms: groups, required, autocomplete, visible labels, label in name ----------------
  const fields = of('input', 'select', 'textarea').filter((f) =>
    !['hidden', 'submit', 'button', 'reset', 'image'].includes(f.type) && !M.disabled(f) &&
    !f.closest('[aria-hidden="true"]') && M.rendered(f));
  const labelText = (f) => {
    const parts = Array.from(f.labels || []).map(textOf);
    byIds(f.getAttribute('aria-labelledby')).forEach((n) => parts.push(textOf(n)));
    if (f.getAttribute('aria-label')) parts.push(f.getAttribute('aria-label'));
    return parts.join(' ').replace(/\s+/g, ' ').trim();
  };
  const groupName = (f) => {
    const fieldset = f.closest('fieldset');
    const legend = fieldset && fieldset.querySelector(':scope > legend');
    if (legend && textOf(legend)) return textOf(legend);
    const group = f.closest('[role=radiogroup], [role=group]');
    if (group) {
      const named = (group.getAttribute('aria-label') || '').trim() ||
        byIds(group.getAttribute('aria-labelledby')).map(textOf).join(' ').trim();
      if (named) return named;
    }
    return '';
  };
  const groups = new Map();
  for (const f of fields) {
    if ((f.type !== 'radio' && f.type !== 'checkbox') || !f.name) continue;
    const key = (f.form ? M.cssPath(f.form) : '') + '|' + f.type + '|' + f.name;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  for (const members of groups.values()) {
    if (members.length < 2 || members.some((f) => groupName(f))) continue;
    if (members[0].closest('table') && members[0].closest('table').querySelector('th')) continue;
    add('group-no-name', members[0], { type: members[0].type, count: members.length,
      name: members[0].name });
  }

  const pageText = textOf(body).slice(0, 200000);
  const explained = /(\*|asterisk)[^.]{0,60}(required|mandatory|must|gofynnol)|(required|mandatory|gofynnol)[^.]{0,60}(\*|asterisk)/i
    .test(pageText) || !!document.querySelector('abbr[title*=required i], [title*=required i]');
  const labelColours = new Map();
  for (const f of fields) {
    const label = (f.labels || [])[0];
    if (!label || !M.seen(label)) continue;
    const colour = cs(label).color;
    labelColours.set(colour, (labelColours.get(colour) || 0) + 1);
  }
  const usualLabelColour = labelColours.size
    ? Array.from(labelColours).sort((a, b) => b[1] - a[1])[0][0] : null;
  for (const f of fields) {
    const label = (f.labels || [])[0] || (groupName(f) && f.closest('fieldset') &&
      f.closest('fieldset').querySelector(':scope > legend'));
    if (!label || !M.seen(label)) continue;
    const text = textOf(label);
    const required = f.required || f.getAttribute('aria-required') === 'true';
    const says = /required|mandatory|optional|gofynnol|dewisol/i.test(text + ' ' +
      (label.getAttribute('title') || '') + ' ' +
      Array.from(label.querySelectorAll('[title], [aria-label]'))
        .map((n) => n.getAttribute('title') + ' ' + n.getAttribute('aria-label')).join(' '));
    if (/[*✱]/.test(text) && !says) {
      if (!explained) add('required-asterisk-unexplained', f, { label: text.slice(0, 80), required });
    } else if (!says && labelColours.size > 1 && cs(label).color !== usualLabelColour &&
               reddish(rgb(cs(label).color)) && required) {
      add('required-colour-only', f, { label: text.slice(0, 80) });
    }
  }

  // 1.3.5: the purpose of fields about the person filling in the form.
  const PURPOSES = arg.purposes;  // [[token, regex source, strong, accepted tokens]]
  const SOMEONE_ELSE = new RegExp(arg.someoneElse, 'i');
  const inSearch = (f) => f.type === 'search' || !!f.closest('[role=search], search') ||
    /^(q|query|search|s|keywords?)$/i.test(f.name || '');
  for (const f of fields) {
    if (f.localName === 'input' && !['text', 'email', 'tel', 'number', 'url', ''].includes(f.type)) continue;
    if (inSearch(f)) continue;
    const own = labelText(f);
    const legend = groupName(f);
    if (SOMEONE_ELSE.test(own) || (legend && SOMEONE_ELSE.test(legend))) continue;
    let purpose = null;
    for (const [token, source, strong, accepted] of PURPOSES) {
      const re = new RegExp(source, 'i');
      const part = /^bday-/.test(token);
      if (part ? (re.test(own) && /birth/i.test(legend)) : re.test(own) ||
          (token === 'email' && f.type === 'email') || (token === 'tel' && f.type === 'tel')) {
        purpose = { token, strong, accepted };
        break;
      }
    }
    if (!purpose) continue;
    const given = (f.getAttribute('autocomplete') || '').trim().toLowerCase();
    const tokens = given.split(/\s+/).filter((t) => !/^(section-|shipping|billing|home|work|mobile|fax|pager)/.test(t));
    const last = tokens[tokens.length - 1] || '';
    if (purpose.accepted.includes(last)) continue;
    add(given && given !== 'on' && given !== 'off' ? 'autocomplete-wrong' : 'autocomplete-missing', f,
      { label: own.slice(0, 80), expected: purpose.token, given, strong: purpose.strong });
  }

  // 3.3.2 fields with no visible label; 2.4.6 fields labelled alike side by side.
  const visibleText = (el) => {
    if (!el) return '';
    if (!M.seen(el)) return '';
    let text = '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement && (n.parentElement === el || M.seen(n.parentElement))) text += n.nodeValue + ' ';
    }
    return text.replace(/\s+/g, ' ').trim();
  };
  const labelsSeen = new Map();
  for (const f of fields) {
    if (f.type === 'radio' || f.type === 'checkbox' || !M.seen(f)) continue;
    const visible = Array.from(f.labels || []).map(visibleText).join(' ').trim() ||
      byIds(f.getAttribute('aria-labelledby')).map(visibleText).join(' ').trim();
    if (visible) {
      const key = (f.form ? M.cssPath(f.form) : '') + '|' + (groupName(f) || '') + '|' + norm(visible);
      if (labelsSeen.has(key) && !f.closest('table')) {
        add('label-duplicate', f, { label: visible.slice(0, 80) });
      } else labelsSeen.set(key, f);
      continue;
    }
    const named = (f.getAttribute('aria-label') || f.getAttribute('title') ||
      Array.from(f.labels || []).map(textOf).join(' ')).trim();
    if (!named || f.getAttribute('placeholder')) continue;  // no name: axe's; placeholder: page-structure's
    // A search box with its button right beside it is labelled by that button (G167).
    const parent = f.parentElement;
    const beside = parent && parent.querySelector('button, input[type=submit], input[type=image]');
    if (beside || (parent && parent.parentElement &&
        parent.parentElement.querySelector(':scope > button, :scope > input[type=submit]'))) continue;
    const prior = f.previousSibling && f.previousSibling.nodeType === 3 && f.previousSibling.nodeValue.trim();
    const priorElement = f.previousElementSibling && M.seen(f.previousElementSibling) &&
      textOf(f.previousElementSibling);
    if (prior || priorElement) continue;  // visible text next to it, though not tied to it
    add('field-no-visible-label', f, { name: named.slice(0, 80) });
  }

  // 2.5.3: the visible text of a control is part of its accessible name.
  const CONTROLS = 'a[href], button, [role=button], [role=link], [role=tab], [role=menuitem], ' +
    '[role=checkbox], [role=radio], [role=switch], [role=option], input[type=submit], input[type=button]';
  for (const el of of('a', 'button', 'input', 'div', 'span', 'li')) {
    if (!el.matches(CONTROLS)) continue;
    const label = el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (!(label && label.trim()) && !by) continue;
    if (hidden(el) || !M.seen(el)) continue;
    const visible = el.localName === 'input' ? (el.value || '') : visibleText(el);
    const shown = norm(visible);
    if (shown.replace(/[^\p{L}]/gu, '').length < 2) continue;  // an icon or a symbol
    const name = norm(by ? byIds(by).map(textOf).join(' ') : label);
    if (!name || (' ' + name + ' ').includes(' ' + shown + ' ') || name.includes(shown)) continue;
    add('label-not-in-name', el, { visible: visible.slice(0, 80), name: name.slice(0, 120) });
  }

  // ---- 1.4.1 colour alone: links in text, error states ------------------------------------
  for (const a of of('a')) {
    if (!a.hasAttribute('href')) continue;
    const block = a.parentElement && a.parentElement.closest('p, li, td, dd, blockquote');
    if (!block || block.closest('nav, header, footer, [role=navigation]')) continue;
    const s = cs(a);
    if (s.display !== 'inline') continue;
    const around = (block.textContent || '').replace(a.textContent || '', '');
    if (around.replace(/[^\p{L}]/gu, '').length < 15 || !textOf(a) || hidden(a)) continue;
    const parentStyle = cs(a.parentElement);
    const marked = (st) => /underline|overline/.test(st.textDecorationLine) ||
      (parseFloat(st.borderBottomWidth) > 0 && st.borderBottomStyle !== 'none' &&
        (rgb(st.borderBottomColor) || [0, 0, 0, 0])[3] > 0) ||
      st.boxShadow !== 'none' || st.backgroundImage !== 'none';
    const inner = Array.from(a.querySelectorAll('*')).filter((n) => textOf(n) === textOf(a));
    if (marked(s) || inner.some((n) => marked(cs(n)))) continue;
    if (Math.abs(weight(s) - weight(parentStyle)) >= 300 || s.fontStyle !== parentStyle.fontStyle ||
        s.fontFamily !== parentStyle.fontFamily || s.textTransform !== parentStyle.textTransform) continue;
    if (s.backgroundColor !== parentStyle.backgroundColor && (rgb(s.backgroundColor) || [0, 0, 0, 0])[3] > 0) continue;
    const link = rgb(s.color);
    const text = rgb(parentStyle.color);
    if (!link || !text) continue;
    const ratio = contrast(link, text);
    if (ratio < 3) add('link-colour-only', a, { ratio: Math.round(ratio * 100) / 100 });
  }
  const ERROR_WORDS = /error|problem|invalid|must|enter|select|choose|required|cannot|can't|too (long|short|many|few)|should|wall|gwall|rhaid/i;
  const borders = new Map();
  for (const f of fields) {
    const key = f.localName + '|' + f.type;
    if (!borders.has(key)) borders.set(key, new Map());
    const c = cs(f).borderTopColor;
    borders.get(key).set(c, (borders.get(key).get(c) || 0) + 1);
  }
  for (const f of fields) {
    if (f.type === 'radio' || f.type === 'checkbox' || !M.seen(f)) continue;
    const s = cs(f);
    const colour = rgb(s.borderTopColor);
    const marked = f.getAttribute('aria-invalid') === 'true' || /error|invalid/i.test(f.className);
    const kinds = borders.get(f.localName + '|' + f.type);
    const odd = kinds && kinds.size > 1 && kinds.get(s.borderTopColor) === 1;
    if (!(reddish(colour) || reddish(rgb(s.outlineColor)) && s.outlineStyle !== 'none') ||
        !(marked || odd)) continue;
    // The question the field belongs to: its form group or fieldset (a date's day, month and
    // year share one error message, tied to the fieldset), or failing that its box.
    const group = f.closest('.govuk-form-group, .form-group, fieldset') ||
      f.closest('[class*=field], [class*=form-row], p, li, div');
    const fieldset = f.closest('fieldset');
    const words = [labelText(f), byIds(f.getAttribute('aria-describedby')).map(textOf).join(' '),
      byIds(f.getAttribute('aria-errormessage')).map(textOf).join(' '),
      fieldset ? byIds(fieldset.getAttribute('aria-describedby')).map(textOf).join(' ') : '',
      group ? visibleText(group) : ''].join(' ');
    if (ERROR_WORDS.test(words)) continue;
    add(marked ? 'error-colour-only' : 'error-colour-only-review', f, { label: labelText(f).slice(0, 80) });
  }

  // ---- 2.2.1 timed redirects; 2.2.2 moving content ----------------------------------------
  for (const script of of('script')) {
    if (script.src || (script.type && !/javascript|module/i.test(script.type))) continue;
    const code = (script.textContent || '').slice(0, 50000);
    const m = /set(Timeout|Interval)\s*\(([\s\S]{0,400}?)(location(\.href)?\s*=|location\.(replace|assign|reload)\s*\(|\.submit\s*\(\s*\))([\s\S]{0,200}?),\s*(\d+)\s*\)/.exec(code);
    if (m) add('timed-redirect', null, { delay_ms: parseInt(m[7], 10), how: m[3].trim() });
  }
  if (typeof document.getAnimations === 'function') {
    const moving = new Map();
    for (const animation of document.getAnimations()) {
      const effect = animation.effect;
      const target = effect && effect.target;
      if (!target || animation.playState !== 'running' || !(target instanceof Element)) continue;
      if (typeof CSSTransition !== 'undefined' && animation instanceof CSSTransition) continue;
      const timing = effect.getComputedTiming();
      const total = timing.endTime;  // Infinity for an endless animation
      if (!(total > 5000)) continue;
      if (target.closest('[role=progressbar], [aria-busy=true], [class*=spinner], [class*=loader], [class*=loading]')) continue;
      if (!M.seen(target)) continue;
      const box = target.getBoundingClientRect();
      if (box.width * box.height < 48 * 48) continue;
      moving.set(target, Math.round(Math.min(total, 1e9)));
    }
    for (const [target, total] of moving) {
      if (!hasPauseControl) add('motion-no-pause', target, { ms: total });
    }
  }
  const CAROUSEL = '[aria-roledescription*=carousel i], [class*=carousel i], [class*=slider i], ' +
    '[class*=slideshow i], [class*=swiper i], [class*=slick i], [class*=splide i], ' +
    '[class*=glide i], [class*=flickity i], [class*=owl-carousel i], [id*=carousel i]';
  const carousels = new Set();
  for (const el of of('div', 'section', 'ul', 'aside')) {
    if (!el.matches(CAROUSEL) || carousels.has(el.parentElement) || hidden(el)) continue;
    if (Array.from(carousels).some((c) => c.contains(el))) continue;
    carousels.add(el);
    const attrs = ['data-ride', 'data-bs-ride', 'data-autoplay', 'data-auto', 'data-interval',
      'data-bs-interval', 'data-autoplay-speed'];
    const auto = [el, ...el.querySelectorAll('[data-ride], [data-bs-ride], [data-autoplay], [data-interval], [data-bs-interval]')]
      .some((n) => attrs.some((a) => n.hasAttribute(a) &&
        !/^(false|0|off|no)$/i.test(n.getAttribute(a)))) ||
      !!el.querySelector('[aria-live=off]');
    const inside = Array.from(el.querySelectorAll('button, a[href], [role=button]'))
      .some((b) => PAUSE.test(M.name(b) + ' ' + b.className));
    if (auto && !inside && !hasPauseControl) add('carousel-no-pause', el, {});
  }

  // ---- 4.1.2 custom widgets; 2.1.1 hover-only content --------------------------------------
  const NATIVE = 'a[href], button, input, select, textarea, summary, details, label, option, ' +
    'iframe, video, audio, area[href]';
  const TOGGLE = /toggle|accordion|collaps|expand|disclosure|dropdown|drop-down|tab|menu|btn|button/i;
  for (const el of all) {
    if (el.matches(NATIVE)) continue;
    const role = (el.getAttribute('role') || '').trim();
    const focusable = el.hasAttribute('tabindex') && el.tabIndex >= 0;
    const clicks = el.hasAttribute('onclick') || el.hasAttribute('onkeydown') || el.hasAttribute('onkeyup');
    if (!focusable && !clicks) {
      continue;
    }
    if (role && !['presentation', 'none', 'generic', 'group'].includes(role)) continue;
    if (hidden(el) || el.querySelector(M.FOCUSABLE) || (el.parentElement && el.parentElement.closest(NATIVE))) continue;
    const pointer = cs(el).cursor === 'pointer';
    if (!(clicks || (focusable && pointer))) continue;
    if (!textOf(el) && !M.name(el)) continue;
    add('custom-control-no-role', el, { name: M.name(el).slice(0, 80), focusable });
  }
  for (const el of of('button', 'a', 'div', 'span', 'li')) {
    if (!el.matches('button, [role=button], a[href]')) continue;
    if (el.hasAttribute('aria-expanded') || el.matches('[role=tab]') || hidden(el)) continue;
    const popup = (el.getAttribute('aria-haspopup') || '').trim();
    const targets = byIds(el.getAttribute('aria-controls'));
    const closed = targets.some((t) => !M.rendered(t));
    if ((popup && popup !== 'false') || (closed && el.localName !== 'a')) {
      add('disclosure-state-missing', el, { name: M.name(el).slice(0, 80), popup: !!popup });
    } else if (!targets.length && el.localName !== 'a' && TOGGLE.test(el.className + ' ' + M.name(el))) {
      const next = el.nextElementSibling || (el.parentElement && el.parentElement.nextElementSibling);
      if (next && !M.rendered(next) && !['script', 'template', 'style'].includes(next.localName) &&
          next.querySelector('a[href], p, li, input')) {
        add('disclosure-state-review', el, { name: M.name(el).slice(0, 80) });
      }
    }
  }
  for (const tab of document.querySelectorAll('[role=tab]')) {
    if (!hidden(tab) && !tab.hasAttribute('aria-selected')) {
      add('tab-state-missing', tab, { name: M.name(tab).slice(0, 80) });
    }
  }
  // CSS that shows hidden links on :hover with no :focus or :focus-within rule to match.
  const hoverRules = [];
  const focusSelectors = new Set();
  const walkRules = (rules, depth) => {
    for (const rule of rules) {
      if (depth > 4 || hoverRules.length > 200) return;
      if (rule.cssRules && !rule.selectorText) { walkRules(rule.cssRules, depth + 1); continue; }
      if (!rule.selectorText) continue;
      for (const sel of rule.selectorText.split(',')) {
        const s = sel.trim();
        if (/:focus(-within|-visible)?/.test(s)) {
          focusSelectors.add(s.replace(/:focus(-within|-visible)?/g, '§'));
        }
        if (!s.includes(':hover')) continue;
        const st = rule.style;
        const shows = (st.display && st.display !== 'none') || st.visibility === 'visible' ||
          (st.left && st.left !== '-9999px') || st.opacity === '1' || st.maxHeight ||
          (st.clip && st.clip !== 'auto') || st.transform || st.height;
        if (shows) hoverRules.push(s);
      }
    }
  };
  for (const sheet of document.styleSheets) {
    try { walkRules(sheet.cssRules, 0); } catch (e) { /* another origin's sheet */ }
  }
  const reported = new Set();
  for (const s of hoverRules) {
    const subject = s.slice(0, s.indexOf(':hover')).trim();
    const focusForm = s.replace(/:hover/g, '§');
    if (focusSelectors.has(focusForm) || !subject) continue;
    let shown;
    try { shown = document.querySelectorAll(s.replace(/:hover/g, '')); } catch (e) { continue; }
    for (const el of shown) {
      if (reported.has(el) || M.rendered(el)) continue;
      const links = Array.from(el.querySelectorAll('a[href], button'));
      if (!links.length) continue;
      let owner;
      try { owner = el.closest(subject) || el.parentElement; } catch (e) { owner = el.parentElement; }
      if (!owner || hidden(owner)) continue;
      // A disclosure button beside the hover menu opens it from the keyboard.
      if (owner.querySelector('[aria-expanded]')) continue;
      // The same places are linked from elsewhere, where a keyboard reaches them.
      const elsewhere = new Set(Array.from(document.querySelectorAll('a[href]'))
        .filter((a) => !el.contains(a) && M.rendered(a)).map((a) => a.href));
      if (links.every((a) => a.href && elsewhere.has(a.href))) continue;
      reported.add(el);
      add('hover-only-content', owner, { links: links.length, rule: s.slice(0, 160) });
    }
  }

  // ---- 2.4.1 landmarks; 2.4.6 headings alike side by side --------------------------------
  const mainLandmark = document.querySelector('main, [role=main]');
  const firstHeading = document.querySelector('h1') || document.querySelector('h2');
  const start = mainLandmark || firstHeading;
  const before = start ? Array.from(document.querySelectorAll('a[href]')).filter((a) =>
    (a.compareDocumentPosition(start) & Node.DOCUMENT_POSITION_FOLLOWING) && !start.contains(a) &&
    M.rendered(a)).length : 0;
  const skip = Array.from(document.querySelectorAll('a[href^="#"]')).slice(0, 20)
    .some((a) => /skip|jump|main content|neidio|prif gynnwys/i.test(M.name(a)));
  if (!mainLandmark && before >= 5) {
    add(skip ? 'landmarks-missing-review' : 'landmarks-missing', null, { linksBefore: before });
  }
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .filter((h) => !hidden(h));
  for (let i = 1; i < headings.length; i += 1) {
    const [a, b] = [headings[i - 1], headings[i]];
    const text = norm(textOf(b));
    if (!text || a.localName !== b.localName || norm(textOf(a)) !== text) continue;
    add('heading-duplicate', b, { text: textOf(b).slice(0, 80) });
  }

  // ---- passages of text with their language (3.1.2) ---------------------------------------
  const blocks = [];
  let budget = 60000;
  for (const el of of('p', 'li', 'blockquote', 'td', 'dd', 'h1', 'h2', 'h3', 'h4', 'figcaption', 'div')) {
    if (budget <= 0 || blocks.length >= 300) break;
    if (el.localName === 'div' && el.querySelector('p, div, li, table, ul, ol, h1, h2, h3, h4')) continue;
    if (el.closest('pre, code, script, style, [translate=no], [contenteditable]')) continue;
    const text = textOf(el);
    if (text.length < 40 || text.split(' ').length < 6) continue;
    if (el.localName === 'li' && el.querySelector('p, li')) continue;
    if (hidden(el)) continue;
    const langEl = el.closest('[lang]');
    blocks.push({ text: text.slice(0, 1000), lang: langEl ? langEl.getAttribute('lang') : '',
      own: el.hasAttribute('lang') || (langEl !== null && langEl !== document.documentElement),
      selector: M.cssPath(el), snippet: M.snippet(el) });
    budget -= Math.min(text.length, 1000);
  }
  return { found, blocks, lang: document.documentElement.getAttribute('lang') || '' };
}
