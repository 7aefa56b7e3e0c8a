"""Hand-made pages for the branding tests, served by ``conftest.pages_url``.

``page(extra_css, main)`` is a page that meets every rule of config/brand.yaml; tests add
one deviation at a time through ``extra_css`` and ``main``.
"""

from __future__ import annotations

COMPLIANT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="/favicon.ico">
<style>
  body {{ margin: 0; font-family: Arial, Helvetica, sans-serif; color: #0b0c0c;
         background-color: #ffffff; }}
  h1, h2 {{ font-family: Arial, sans-serif; }}
  a {{ color: #1d5fa8; }}
  header {{ background-color: #1d3f6e; color: #ffffff; padding: 10px; }}
  header a {{ color: #ffffff; }}
  footer {{ background-color: #f3f2f1; padding: 10px; }}
  #cookie-banner {{ background-color: #f3f2f1; padding: 10px; }}
  .button {{ background-color: #00703c; color: #ffffff; border: 2px solid #00703c; }}
  {extra_css}
</style>
</head>
<body>
<div id="cookie-banner"><p>We use cookies.</p></div>
<header>
  <a href="/"><img src="/logo.png" alt="Example County Council" width="240" height="60"></a>
</header>
<main>
<h1>Join the library</h1>
<p>Some text with <a href="/more">a link</a>.</p>
<button class="button">Start now</button>
{main}
</main>
<footer>
  <ul>
    <li><a href="/accessibility-statement">Accessibility statement</a></li>
    <li><a href="/privacy">Privacy notice</a></li>
    <li><a href="/cookies">Cookies</a></li>
    <li><a href="/contact">Contact us</a></li>
  </ul>
</footer>
</body>
</html>
"""


def page(
    extra_css: str = "", main: str = "", title: str = "Join the library - Example County Council"
) -> str:
    return COMPLIANT.format(extra_css=extra_css, main=main, title=title)


NO_HEADER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bare page</title></head>
<body><main><h1>Nothing but content</h1><p>No header, no footer, no logo.</p></main></body>
</html>
"""

PAGES: dict[str, str] = {
    "/compliant": page(),
    # Link colour ΔE2000 4.93 from the brand's link colour #1d5fa8 (tolerance 5.0) …
    "/link-inside-tolerance": page("a { color: #415fa8; }"),
    # … and ΔE2000 5.31: just outside.
    "/link-outside-tolerance": page("a { color: #435fa8; }"),
    # Half-transparent primary over white renders #8e9fb7 (off-palette); hidden, invisible,
    # fully transparent and clipped elements are not judged at all.
    "/composited": page(
        ".veil { background-color: rgba(29, 63, 110, 0.5); padding: 10px; }"
        ".veil p { color: rgba(255, 255, 255, 1); }"
        ".clear { background-color: transparent; color: #0b0c0c; }"
        ".gone { display: none; color: #ff0000; background-color: #00ff00; }"
        ".ghost { opacity: 0; color: #ff0000; }"
        ".hidden-text { position: absolute; width: 1px; height: 1px; overflow: hidden;"
        "  clip: rect(0 0 0 0); clip-path: inset(50%); color: #ff00ff; }",
        '<div class="veil"><p>Over a veil</p></div>'
        '<p class="clear">Clear background</p>'
        '<p class="gone">Not displayed</p>'
        '<p class="ghost">Invisible</p>'
        '<span class="hidden-text">For screen readers only</span>',
    ),
    "/serif-headings": page("h1, h2 { font-family: 'Times New Roman', serif; }"),
    "/no-header": NO_HEADER,
    # The logo drawn differently, or not seen at all, on an otherwise compliant page.
    "/logo-faded": page("header img { opacity: 0.15; }"),
    "/logo-covered": page(
        "#cookie-banner { position: fixed; top: 0; left: 0; width: 600px; height: 120px;"
        " z-index: 5; }"
    ),
    "/logo-narrow": page("header img { width: 60px; height: 60px; object-fit: cover; }"),
}
