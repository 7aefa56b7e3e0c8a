"""Small test pages: one built with well-known accessible patterns (GOV.UK style), and
pages that each carry one barrier."""

from __future__ import annotations

STYLE = """
body { font-family: Arial, sans-serif; font-size: 19px; line-height: 1.5; margin: 0; }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; display: block; background: #fd0; color: #0b0c0c; }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus,
[tabindex]:focus { outline: 3px solid #fd0; outline-offset: 0; }
a:focus { background: #fd0; box-shadow: 0 4px #0b0c0c; }
header { background: #1d3f6e; padding: 10px; } header a { color: #fff; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 10px; padding: 0; }
main { max-width: 960px; margin: 0 auto; padding: 15px; }
.radio { position: relative; padding-left: 50px; margin-bottom: 10px; }
.radio input { position: absolute; left: 0; top: 0; width: 40px; height: 40px; opacity: 0;
  margin: 0; cursor: pointer; }
.radio label::before { content: ""; position: absolute; left: 0; top: 0; width: 36px;
  height: 36px; border: 2px solid #0b0c0c; border-radius: 50%; }
.radio input:focus + label::before { border-width: 4px; box-shadow: 0 0 0 4px #fd0; }
.error-summary { border: 5px solid #d4351c; padding: 15px; }
.error-summary:focus { outline: 3px solid #fd0; }
.error-message { color: #d4351c; font-weight: bold; }
input[type=text] { border: 2px solid #0b0c0c; font-size: 19px; width: 100%; max-width: 20em; }
.table-wrap { overflow-x: auto; }
pre { white-space: pre; }
.tip { display: none; position: absolute; background: #0b0c0c; color: #fff; padding: 4px; }
.has-tip:focus + .tip:not(.dismissed) { display: block; }
.visually-hidden { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; clip-path: inset(50%) !important;
  white-space: nowrap !important; border: 0 !important; padding: 0 !important;
  margin: 0 !important; }
footer { border-top: 1px solid #1d3f6e; padding: 15px; }
"""

ACCESSIBLE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error: Apply for a library card - Example County Council</title>
<style>{STYLE}</style></head>
<body>
<a href="#main-content" class="skip">Skip to main content</a>
<header>
  <a href="/">Example County Council</a>
  <nav aria-label="Main"><ul>
    <li><a href="/services">Services</a></li><li><a href="/news">News</a></li>
    <li><a href="/jobs">Jobs</a></li><li><a href="/contact">Contact us</a></li>
    <li><a href="/libraries">Libraries</a></li><li><a href="/schools">Schools</a></li>
  </ul></nav>
</header>
<main id="main-content" tabindex="-1">
  <div class="error-summary" role="alert" tabindex="-1" aria-labelledby="summary-title">
    <h2 id="summary-title">There is a problem</h2>
    <ul><li><a href="#full-name">Enter your full name</a></li></ul>
  </div>
  <h1>Apply for a library card</h1>
  <p>You can use this form to get a free library card. It takes about five minutes and you
  will need your address and an email address. We will send your card to your home and you
  can start borrowing books, e-books and audiobooks from any of the libraries in the county
  as soon as it arrives. If you have a problem with this form, you can call us and we will
  help you to apply over the phone instead.</p>
  <h2>Your details</h2>
  <form method="get" action="/done" novalidate>
    <div class="form-group">
      <label for="full-name">Full name</label>
      <p class="error-message" id="full-name-error"><span class="visually-hidden">Error:</span>
        Enter your full name</p>
      <input type="text" id="full-name" name="full-name" aria-invalid="true"
        aria-describedby="full-name-error" autocomplete="name">
    </div>
    <div class="form-group">
      <label for="email">Email address</label>
      <input type="text" id="email" name="email" placeholder="name@example.com"
        autocomplete="email">
    </div>
    <fieldset><legend>Which library is nearest to you?</legend>
      <div class="radio"><input type="radio" id="branch" name="branch" value="north">
        <label for="branch">North library</label></div>
      <div class="radio"><input type="radio" id="branch-2" name="branch" value="south">
        <label for="branch-2">South library</label></div>
    </fieldset>
    <button type="button" class="has-tip" aria-describedby="card-tip">What is a PIN?</button>
    <div role="tooltip" id="card-tip" class="tip">Four numbers you choose</div>
    <details><summary>Help with your address</summary><p>Use the address on your council
      tax bill.</p></details>
    <button type="submit">Continue</button>
  </form>
  <h2>Opening hours</h2>
  <div class="table-wrap"><table>
    <tr><th>Library</th><th>Monday</th><th>Tuesday</th><th>Wednesday</th><th>Thursday</th>
    <th>Friday</th><th>Saturday</th><th>Sunday</th></tr>
    <tr><td>North library</td><td>9am to 5pm</td><td>9am to 5pm</td><td>9am to 5pm</td>
    <td>9am to 7pm</td><td>9am to 5pm</td><td>10am to 4pm</td><td>Closed</td></tr>
  </table></div>
  <pre>Library rules, section 4.2:
  return_every_item_within_three_weeks_or_renew_it_online_or_by_phone_or_at_the_library</pre>
  <h3>Fines</h3>
  <p>There are no fines for children's books. <a href="/fines">Read more about fines</a>.</p>
</main>
<footer>
  <ul>
    <li><a href="/accessibility-statement">Accessibility statement</a></li>
    <li><a href="/cookies">Cookies</a></li><li><a href="/privacy">Privacy</a></li>
  </ul>
</footer>
<script>
  document.addEventListener('keydown', (event) => {{
    if (event.key === 'Escape') document.querySelectorAll('.tip')
      .forEach((t) => t.classList.add('dismissed'));
  }});
  document.querySelector('.has-tip').addEventListener('blur',
    () => document.querySelector('.tip').classList.remove('dismissed'));
</script>
</body></html>"""


def page(
    body: str,
    *,
    title: str = "Test page - Example County Council",
    lang: str = "en",
    style: str = "",
    head: str = "",
) -> str:
    """A small page with a footer link to the statement, so only ``body``'s barrier shows."""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>{STYLE}{style}</style>{head}</head>
<body>{body}
<footer><a href="/accessibility-statement">Accessibility statement</a></footer>
</body></html>"""


NAV = """<header><a href="/">Council</a><nav><ul><li><a href="/a">A</a></li>
<li><a href="/b">B</a></li><li><a href="/c">C</a></li><li><a href="/d">D</a></li>
<li><a href="/e">E</a></li></ul></nav></header>"""
