// Gathers what the branding check judges, in one pass over the rendered page.
// Called as a function of `options` ({header, footer, cookieBanner, logoInHeader,
// maxElements}); returns plain JSON. Colours are returned as the browser computed them,
// with the stack of background colours behind each one, so that Python (coloraide)
// can composite semi-transparent colours and measure ΔE.
(options) => {
  const MAX = options.maxElements || 5000;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK",
    "TITLE", "BR", "WBR", "IFRAME", "OBJECT", "EMBED"]);
  // Code is set in monospace on purpose, and form controls get the browser's own font
  // unless a site sets one: neither is "body text".
  const NOT_BODY_TEXT = "code, pre, kbd, samp, var, tt, button, input, select, textarea, [role='button']";
  const HEADING = "h1, h2, h3, h4, h5, h6, [role='heading']";
  const BUTTON = "button, input[type='submit'], input[type='button'], input[type='reset'], [role='button']";

  const cssEscape = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/[^\w-]/g, "\\$&"));
  const cssPath = (el) => {
    const parts = [];
    let node = el;
    while (node && node.nodeType === 1 && node !== document.documentElement) {
      if (node.id && document.querySelectorAll("#" + cssEscape(node.id)).length === 1) {
        parts.unshift("#" + cssEscape(node.id));
        break;
      }
      let part = node.localName;
      const parent = node.parentElement;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.localName === node.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
      node = parent;
    }
    return parts.join(" > ");
  };
  const snippet = (el) => {
    const html = el.outerHTML || "";
    const open = html.slice(0, html.indexOf(">") + 1) || html;
    return open.length > 200 ? open.slice(0, 199) + "…" : open;
  };
  const text = (el) => (el.textContent || "").replace(/\s+/g, " ").trim();

  // Alpha of a computed colour: "rgb(…)" is opaque, "rgba(…, a)" and "… / a)" carry it.
  const alpha = (c) => {
    if (!c || c === "transparent") return 0;
    let m = c.match(/^rgba\([^)]*,\s*([\d.]+)\)$/);
    if (m) return parseFloat(m[1]);
    m = c.match(/\/\s*([\d.]+)(%?)\s*\)$/);
    if (m) return parseFloat(m[1]) / (m[2] ? 100 : 1);
    return 1;
  };

  const styles = new Map();
  const style = (el) => {
    let s = styles.get(el);
    if (!s) { s = getComputedStyle(el); styles.set(el, s); }
    return s;
  };

  // Backgrounds behind an element, its own first, up to the first opaque one.
  const stacks = new Map();
  const bgStack = (el) => {
    if (!el || el.nodeType !== 1) return [];
    if (stacks.has(el)) return stacks.get(el);
    const own = style(el).backgroundColor;
    const a = alpha(own);
    const result = a >= 1 ? [own] : a <= 0 ? bgStack(el.parentElement) : [own, ...bgStack(el.parentElement)];
    stacks.set(el, result);
    return result;
  };

  const hidden = new Set();
  const isVisible = (el) => {
    if (el.parentElement && hidden.has(el.parentElement)) return false;
    const s = style(el);
    if (s.display === "none" || s.visibility === "hidden" || s.visibility === "collapse") return false;
    if (parseFloat(s.opacity) === 0) return false;
    if (s.clipPath && s.clipPath.startsWith("inset(50%")) return false;
    if (s.position === "absolute" && /^rect\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\)$/.test(s.clip)) return false;
    if (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    if (s.display !== "contents" && (r.width < 2 || r.height < 2)) return false;
    return true;
  };

  const landmark = (name) => {
    const tag = name === "banner" ? "header" : name === "contentinfo" ? "footer" : name;
    const explicit = document.querySelector(`[role='${name}']`);
    if (explicit) return explicit;
    if (name === "banner" || name === "contentinfo") {
      // <header>/<footer> are landmarks only outside sectioning content.
      return Array.from(document.querySelectorAll(tag)).find(
        (el) => !el.parentElement.closest("article, aside, main, nav, section")) || null;
    }
    return document.querySelector(tag);
  };
  // Two 32-bit FNV-1a hashes of a string: which region markup pages share.
  const fingerprint = (text) => {
    let a = 0x811c9dc5, b = 0x01000193 ^ text.length;
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
    return (a >>> 0).toString(16) + (b >>> 0).toString(16);
  };
  const region = (rule) => {
    if (!rule) return { found: false };
    let el = null, via = null, bySelector = false, byLandmark = false;
    if (rule.selector) {
      try { el = document.querySelector(rule.selector); } catch (e) { el = null; }
      if (el) { via = "selector"; bySelector = true; }
    }
    const mark = rule.landmark ? landmark(rule.landmark) : null;
    if (mark) byLandmark = true;
    if (!el && mark) { el = mark; via = "landmark"; }
    if (!el) return { found: false, bySelector, byLandmark, element: null };
    const s = style(el);
    return { found: true, via, bySelector, byLandmark, selector: cssPath(el),
      snippet: snippet(el), element: el, color: s.color, background: bgStack(el),
      markup: fingerprint(el.outerHTML + "|" + window.innerWidth + "|" + devicePixelRatio) };
  };

  const header = region(options.header);
  const footer = region(options.footer);

  // --- colours and typefaces --------------------------------------------------------
  const colours = new Map();
  const addColour = (kind, role, colour, stack, el) => {
    if (alpha(colour) <= 0) return;
    const key = [kind, role, colour, stack.join("|")].join("#");
    const seen = colours.get(key);
    if (seen) { seen.count += 1; return; }
    colours.set(key, { kind, role, colour, stack, count: 1, selector: cssPath(el), snippet: snippet(el) });
  };
  const fonts = { body: new Map(), headings: new Map() };
  const addFont = (where, family, el) => {
    const first = (family || "").split(",")[0].trim().replace(/^["']|["']$/g, "");
    if (!first) return;
    const seen = fonts[where].get(first);
    if (seen) { seen.count += 1; return; }
    fonts[where].set(first, { family: first, declared: family, count: 1, selector: cssPath(el), snippet: snippet(el) });
  };

  const roleOf = (el) => {
    if (el.closest(BUTTON)) return "button";
    if (el.closest("a[href]")) return "link";
    if (el.closest(HEADING)) return "heading";
    if (header.element && header.element.contains(el)) return "header";
    if (footer.element && footer.element.contains(el)) return "footer";
    return "text";
  };

  const visited = new Set();
  const visit = (el) => {
    visited.add(el);
    if (SKIP.has(el.tagName) || (el instanceof SVGElement && el.localName !== "svg")) return false;
    if (!isVisible(el)) { hidden.add(el); return false; }
    const s = style(el);
    const role = roleOf(el);
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())
      || (el.matches("input[type='submit'], input[type='button'], input[type='reset']") && el.value);
    if (ownText) {
      addColour("text", role, s.color, bgStack(el), el);
      if (el.matches(HEADING) || el.closest(HEADING)) addFont("headings", s.fontFamily, el);
      else if (!el.closest(NOT_BODY_TEXT)) addFont("body", s.fontFamily, el);
    }
    const r = el.getBoundingClientRect();
    if (alpha(s.backgroundColor) > 0 && r.width * r.height >= 16) {
      addColour("background", role, s.backgroundColor, bgStack(el.parentElement), el);
    }
    if (el.matches(BUTTON) && parseFloat(s.borderTopWidth) > 0 && s.borderTopStyle !== "none") {
      addColour("border", "button", s.borderTopColor, bgStack(el), el);
    }
    return true;
  };
  // Document order up to the budget; on a huge page the footer is then read as well, so
  // the shared furniture is always judged.
  let examined = 0;
  const walk = (root, budget) => {
    let used = 0;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let el = walker.currentNode; el && used < budget; el = walker.nextNode()) {
      if (visited.has(el)) continue;
      if (el.parentElement && hidden.has(el.parentElement)) { hidden.add(el); continue; }
      if (visit(el)) used += 1;
    }
    examined += used;
    return used >= budget;
  };
  const truncated = walk(document.body || document.documentElement, MAX);
  if (truncated && footer.element) {
    let up = footer.element.parentElement;
    while (up) { if (hidden.has(up)) break; up = up.parentElement; }
    if (!up) walk(footer.element, Math.ceil(MAX / 5));
  }
  if (document.body) addFont("body", style(document.body).fontFamily, document.body);

  // --- logo ---------------------------------------------------------------------------
  // Everything the logo's screenshot depends on, as one string: its markup and image, its
  // box (to the subpixel), the styles of it, its insides and every ancestor that change
  // how it is drawn, the backgrounds behind it, and that nothing is drawn over it. Two
  // logos with the same look give the same screenshot, so a run compares each look once.
  // null when it cannot be told (something over it, off screen, very large SVG).
  const DRAWN = ["opacity", "filter", "transform", "mixBlendMode", "clipPath", "maskImage",
    "visibility", "backdropFilter", "backgroundColor", "backgroundImage", "backgroundPosition",
    "backgroundSize", "backgroundRepeat", "backgroundClip", "borderRadius", "overflow",
    "zoom", "contain"];
  const INSIDE = ["color", "fill", "stroke", "strokeWidth", "opacity", "display", "visibility",
    "transform", "objectFit", "objectPosition", "imageRendering", "fontFamily", "fontSize",
    "fontWeight", "borderTopColor", "borderTopWidth", "borderTopStyle", "boxShadow",
    "outlineStyle", "padding", "width", "height"];
  const look = (el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + window.scrollX;
    const y = r.top + window.scrollY;
    const parts = [el.outerHTML.length > 100000 ? null : el.outerHTML, devicePixelRatio,
      x % 1, y % 1, r.width, r.height, window.innerWidth];
    if (parts[0] === null) return null;
    const inside = [el, ...Array.from(el.querySelectorAll("*"))];
    if (inside.length > 400) return null;
    for (const node of inside) {
      const s = getComputedStyle(node);
      parts.push(node.currentSrc || "", node.complete, node.naturalWidth, node.naturalHeight,
        INSIDE.map((p) => s[p]).join("|"), DRAWN.map((p) => s[p]).join("|"));
      for (const pseudo of ["::before", "::after"]) {
        const p = getComputedStyle(node, pseudo);
        if (p.content && p.content !== "none") parts.push(pseudo, p.content, INSIDE.map((k) => p[k]).join("|"));
      }
    }
    for (let up = el.parentElement; up && up.nodeType === 1; up = up.parentElement) {
      const s = getComputedStyle(up);
      parts.push(DRAWN.map((p) => s[p]).join("|"));
      if (s.backgroundImage !== "none") {
        const b = up.getBoundingClientRect();
        parts.push(b.left - r.left, b.top - r.top, b.width, b.height);
      }
    }
    // Nothing drawn over it: every sampled point hits the logo itself (hit testing does not
    // see an overlay that lets the pointer through; nor would a resident's click).
    for (const fx of [0.1, 0.5, 0.9]) {
      for (const fy of [0.1, 0.5, 0.9]) {
        const px = r.left + r.width * fx;
        const py = r.top + r.height * fy;
        if (px < 0 || py < 0 || px >= window.innerWidth || py >= window.innerHeight) return null;
        const hit = document.elementFromPoint(px, py);
        if (!hit || !(hit === el || el.contains(hit))) return null;
      }
    }
    return JSON.stringify(parts);
  };
  const LOGO = "img, svg, [role='img'], picture";
  const scope = options.logoInHeader && header.element ? header.element : document.body;
  let logo = null;
  if (scope) {
    const candidates = Array.from(scope.querySelectorAll(LOGO)).filter((el) => isVisible(el));
    const el = candidates.find((c) => c.closest("a[href]")) || candidates[0];
    if (el) {
      const link = el.closest("a[href]");
      let alt = null;
      if (el.localName === "img") alt = el.getAttribute("alt");
      else if (el.getAttribute("aria-label")) alt = el.getAttribute("aria-label");
      else if (el.querySelector && el.querySelector("title")) alt = text(el.querySelector("title"));
      const r = el.getBoundingClientRect();
      logo = { selector: cssPath(el), snippet: snippet(el), tag: el.localName, alt, look: look(el),
        src: el.currentSrc || el.src || null,
        inHeader: !!(header.element && header.element.contains(el)),
        link: link ? { href: link.href, selector: cssPath(link) } : null,
        width: Math.round(r.width), height: Math.round(r.height),
        background: bgStack(el) };
    }
  }

  // --- footer links, favicon, cookie banner ----------------------------------------------
  const footerLinks = footer.element
    ? Array.from(footer.element.querySelectorAll("a[href]")).map((a) => ({
        text: text(a) || a.getAttribute("aria-label") || "", href: a.href }))
    : [];
  const favicons = Array.from(document.querySelectorAll("link[rel][href]"))
    .filter((l) => l.rel.toLowerCase().split(/\s+/).includes("icon"))
    .map((l) => l.href);
  let banner = null;
  if (options.cookieBanner) {
    let el = null;
    try { el = document.querySelector(options.cookieBanner); } catch (e) { el = null; }
    banner = { found: !!el, visible: !!el && isVisible(el), selector: el ? cssPath(el) : null };
  }

  const strip = (r) => { const { element, ...rest } = r; return rest; };
  return {
    url: location.href, title: document.title, examined, truncated,
    header: strip(header), footer: strip(footer), logo,
    colours: Array.from(colours.values()),
    fonts: { body: Array.from(fonts.body.values()), headings: Array.from(fonts.headings.values()) },
    footerLinks, favicons, cookieBanner: banner,
  };
}
