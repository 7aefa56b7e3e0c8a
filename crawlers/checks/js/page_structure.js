// The page-structure check's in-page part: (arg, M) => facts about the page as a whole.
(arg, M) => {
  const main = document.querySelector('main, [role=main]') || document.body;
  const headings = Array.from(document.querySelectorAll(
    'h1, h2, h3, h4, h5, h6, [role=heading][aria-level]'))
    .filter((h) => M.rendered(h) && !h.closest('[aria-hidden="true"]'))
    .map((h) => {
      const level = h.matches('[role=heading]')
        ? parseInt(h.getAttribute('aria-level'), 10) : parseInt(h.localName.slice(1), 10);
      const imgs = Array.from(h.querySelectorAll('img[alt], svg title'))
        .map((i) => (i.getAttribute('alt') || i.textContent || '').trim()).join(' ');
      return { level, text: (M.name(h) + ' ' + imgs).trim().slice(0, 120),
        selector: M.cssPath(h), snippet: M.snippet(h) };
    });

  // Links, with the text of the sentence, list item or cell around them (their context).
  const links = Array.from(document.querySelectorAll('a[href]'))
    .filter((a) => M.rendered(a) && !a.closest('[aria-hidden="true"]'))
    .slice(0, 1500)
    .map((a) => {
      const name = M.name(a).slice(0, 200);
      // Only generic link texts (arg.generic) need their context and a selector.
      const plain = name.toLowerCase().replace(/[^\w\s]/g, '').replace(/\s+/g, ' ').trim();
      if (!(arg.generic || []).includes(plain)) {
        return { href: a.href, name, context: '', selector: '', snippet: '' };
      }
      const box = a.closest('p, li, td, th, dd, dt');
      let context = '';
      if (box) {
        const copy = box.cloneNode(true);
        copy.querySelectorAll('a').forEach((l) => l.remove());
        context = (copy.textContent || '').replace(/\s+/g, ' ').trim();
      }
      return { href: a.href, name, context: context.slice(0, 200),
        selector: M.cssPath(a), snippet: M.snippet(a) };
    });

  const labelless = [];
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (el.type === 'hidden' || !M.seen(el) || M.disabled(el)) continue;
    const labelled = (el.labels && el.labels.length && Array.from(el.labels)
      .some((l) => M.text(l) || l.textContent.trim())) ||
      (el.getAttribute('aria-label') || '').trim() ||
      (el.getAttribute('aria-labelledby') || '').split(/\s+/)
        .some((id) => id && document.getElementById(id) &&
          document.getElementById(id).textContent.trim()) ||
      (el.getAttribute('title') || '').trim();
    if (!labelled) {
      labelless.push({ selector: M.cssPath(el), snippet: M.snippet(el),
        placeholder: el.getAttribute('placeholder').slice(0, 80) });
    }
  }

  return {
    title: document.title,
    lang: document.documentElement.getAttribute('lang') || '',
    text: (main.innerText || '').slice(0, 20000),
    headings,
    links,
    labelless,
  };
}
