"""Pages that each carry one barrier the checks beyond axe must find, and the same pattern
done right, which they must not flag. Each case: (id, body, expected findings), a finding
being (rule, WCAG criteria, outcome)."""

from __future__ import annotations

from tests.crawlers.checks.pages import page

V, R = "violation", "needs_review"
Expected = set[tuple[str, tuple[str, ...], str]]

TEXT = (
    "Residents can report a problem with a road, a pavement or a street light online at any "
    "time of the day or night, and we will tell you what happens next."
)
WELSH = (
    "Gallwch wneud cais am le mewn ysgol i'ch plentyn ar-lein. Bydd angen i chi ddweud wrthym "
    "pa ysgolion yr hoffech eu cael, yn nhrefn blaenoriaeth."
)
FORM_STYLE = (
    "label { display: block; } .field { margin-bottom: 20px; } "
    "input[type=text], input[type=email], input[type=tel] { border: 2px solid #0b0c0c; }"
)

BARRIERS: list[tuple[str, str, Expected]] = [
    # 1.1.1 text alternatives
    (
        "alt-file-name",
        '<main><h1>Pothole</h1><img src="/p.png" alt="IMG_20240312_0912.jpg" width="40" '
        f'height="40"><p>{TEXT}</p></main>',
        {("alt-file-name", ("1.1.1",), V)},
    ),
    (
        "alt-generic",
        f'<main><h1>Pothole</h1><img src="/p.png" alt="Photo" width="40" height="40"><p>{TEXT}'
        "</p></main>",
        {("alt-generic", ("1.1.1",), V)},
    ),
    (
        "alt-repeats-text",
        '<main><h1>Libraries</h1><figure><img src="/l.png" alt="Maidstone library at night" '
        'width="40" height="40"><figcaption>Maidstone library at night</figcaption></figure>'
        "</main>",
        {("alt-repeats-text", ("1.1.1",), R)},
    ),
    (
        "image-link-unclear",
        '<main><h1>Downloads</h1><p><a href="/guide.pdf"><img src="/i.png" alt="icon" '
        'width="20" height="20"></a></p><p><a href="/next"><img src="/a.png" alt="arrow" '
        'width="20" height="20"></a></p></main>',
        {("image-link-unclear", ("1.1.1", "2.4.4"), V)},
    ),
    (
        "image-button-unclear",
        '<main><h1>Search</h1><form><label for="q">Search</label><input id="q" type="text">'
        '<input type="image" src="/go.png" alt="button" width="20" height="20"></form></main>',
        {("image-button-unclear", ("1.1.1", "4.1.2"), V)},
    ),
    # 1.2.x, 1.4.2, 2.2.2 media
    (
        "video-no-captions",
        '<main><h1>Recycling</h1><video controls width="200" height="100" src="/v.mp4">'
        '</video><p><a href="/transcript">Read the transcript of the recycling video</a></p>'
        "</main>",
        {("video-no-captions", ("1.2.2",), V)},
    ),
    (
        "media-autoplay",
        '<main><h1>Welcome</h1><div><video autoplay loop width="200" height="100" '
        'src="/v.mp4"><track kind="captions" src="/v.vtt"></video><p>Transcript: '
        '<a href="/t">read it</a></p></div></main>',
        {
            ("media-autoplay-sound", ("1.4.2",), V),
            ("media-autoplay-motion", ("2.2.2",), V),
        },
    ),
    (
        "media-no-transcript",
        '<main><h1>Council meeting</h1><div><audio controls src="/m.mp3"></audio></div>'
        f"<p>{TEXT}</p></main>",
        {("media-no-transcript", ("1.2.1", "1.2.3", "1.2.5"), R)},
    ),
    (
        "embedded-media-review",
        '<main><h1>Recycling</h1><iframe title="How to recycle" src="/youtube.com/embed/abc" '
        'width="200" height="100"></iframe></main>',
        {("embedded-media-review", ("1.2.2", "1.2.3", "1.2.5"), R)},
    ),
    # 1.3.1 tables
    (
        "table-no-headers",
        "<main><h1>Bin days</h1><table><tr><td><b>Street</b></td><td><b>Day</b></td></tr>"
        "<tr><td>High Street</td><td>Monday</td></tr><tr><td>Mill Lane</td><td>Tuesday</td>"
        "</tr></table></main>",
        {("table-no-headers", ("1.3.1",), V)},
    ),
    (
        "table-headers-not-associated",
        '<main><h1>Fees</h1><table><tr><th colspan="2">Permit</th><th colspan="2">Price</th>'
        "</tr><tr><th>Zone</th><th>Type</th><th>Year</th><th>Month</th></tr><tr><td>A</td>"
        "<td>Resident</td><td>£50</td><td>£5</td></tr></table></main>",
        {("table-headers-not-associated", ("1.3.1",), R)},
    ),
    (
        "layout-table-semantics",
        '<main><h1>Layout</h1><table role="presentation"><caption>Page layout</caption><tr>'
        "<th>Menu</th><td>Content</td></tr><tr><td>Left</td><td>Right</td></tr></table></main>",
        {("layout-table-semantics", ("1.3.1",), V)},
    ),
    (
        "table-no-headers-review",
        "<main><h1>Bin days</h1><table><tr><td>High Street</td><td>Monday</td></tr><tr><td>"
        "Mill Lane</td><td>Tuesday</td></tr><tr><td>Park Road</td><td>Friday</td></tr></table>"
        "</main>",
        {("table-no-headers-review", ("1.3.1",), R)},
    ),
    # 1.3.1 headings and lists
    (
        "heading-not-marked-up",
        '<main><h1>Parking</h1><p style="font-size:30px;font-weight:bold">Permits</p>'
        f"<p>{TEXT}</p></main>",
        {("heading-not-marked-up", ("1.3.1",), V)},
    ),
    (
        "heading-not-marked-up-review",
        f'<main><h1>Parking</h1><p style="font-weight:bold">Permits</p><p>{TEXT}</p></main>',
        {("heading-not-marked-up-review", ("1.3.1",), R)},
    ),
    (
        "list-not-marked-up-review",
        "<main><h1>Steps</h1><p>1. Find your permit number<br>2. Choose a zone<br>3. Pay the "
        "fee</p></main>",
        {("list-not-marked-up-review", ("1.3.1",), R)},
    ),
    (
        "list-not-marked-up",
        "<main><h1>What to bring</h1><p>• a utility bill<br>• your passport<br>• a recent "
        "bank statement</p></main>",
        {("list-not-marked-up", ("1.3.1",), V)},
    ),
    (
        "list-in-paragraphs",
        "<main><h1>What to bring</h1><p>• a utility bill</p><p>• your passport</p></main>",
        {("list-not-marked-up", ("1.3.1",), V)},
    ),
    # 1.3.1 forms
    (
        "group-no-name",
        '<main><h1>Apply</h1><form><p>Do you have a library card?</p><div><input type="radio" '
        'id="y" name="card" value="y"><label for="y">Yes</label></div><div><input '
        'type="radio" id="n" name="card" value="n"><label for="n">No</label></div>'
        "<button>Continue</button></form></main>",
        {("group-no-name", ("1.3.1", "3.3.2"), V)},
    ),
    (
        "required-asterisk",
        '<main><h1>Apply</h1><form><div class="field"><label for="s">Street *</label>'
        '<input id="s" type="text" name="street"></div><button>Continue</button></form></main>',
        {("required-asterisk-unexplained", ("3.3.2", "1.3.1"), V)},
    ),
    (
        "required-colour",
        '<main><h1>Apply</h1><form><div class="field"><label for="s" style="color:#d4351c">'
        'Street</label><input id="s" type="text" name="street" required></div><div '
        'class="field"><label for="t">Nearest landmark</label><input id="t" type="text" '
        'name="landmark"></div><div class="field"><label for="w">Width of the hole</label>'
        '<input id="w" type="text" name="width"></div><button>Continue</button></form></main>',
        {("required-colour-only", ("1.4.1",), R)},
    ),
    # 1.3.5
    (
        "autocomplete-missing",
        '<main><h1>Your details</h1><form><div class="field"><label for="e">Email address'
        '</label><input id="e" type="email" name="email"></div><div class="field"><label '
        'for="t">Telephone number</label><input id="t" type="tel" name="phone" '
        'autocomplete="email"></div><button>Continue</button></form></main>',
        {("autocomplete-missing", ("1.3.5",), R), ("autocomplete-wrong", ("1.3.5",), V)},
    ),
    (
        "autocomplete-missing-review",
        '<main><h1>Your address</h1><form><div class="field"><label for="a1">Address line 1'
        '</label><input id="a1" type="text" name="line1"></div><button>Continue</button>'
        "</form></main>",
        {("autocomplete-missing-review", ("1.3.5",), R)},
    ),
    # 1.4.1
    (
        "link-colour-only",
        f'<main><h1>Roads</h1><p>{TEXT} You can <a href="/report" style="text-decoration:none;'
        'color:#333">report a pothole</a> online.</p></main>',
        {("link-colour-only", ("1.4.1",), V)},
    ),
    (
        "error-colour-only",
        '<main><h1>Your details</h1><form><div class="field"><label for="n">Full name</label>'
        '<input id="n" type="text" name="name" autocomplete="name" aria-invalid="true" '
        'style="border-color:#d4351c"></div><button>Continue</button></form></main>',
        {("error-colour-only", ("1.4.1", "3.3.1"), V)},
    ),
    (
        "error-colour-only-review",
        '<main><h1>Your details</h1><form><div class="field"><label for="a">Reference</label>'
        '<input id="a" type="text" style="border-color:#d4351c"></div><div class="field"><label '
        'for="b">Account</label><input id="b" type="text"></div><div class="field"><label '
        'for="c">Branch</label><input id="c" type="text"></div><button>Continue</button>'
        "</form></main>",
        {("error-colour-only-review", ("1.4.1",), R)},
    ),
    # 2.2.1, 2.2.2
    (
        "timed-redirect",
        f"<main><h1>Moved</h1><p>{TEXT}</p></main><script>setTimeout(function () {{ "
        "window.location.href = '/new-page'; }, 600000);</script>",
        {("timed-redirect", ("2.2.1",), R)},
    ),
    (
        "motion-no-pause",
        '<main><h1>News</h1><div class="ticker" style="width:300px;height:60px;animation:'
        f'slide 3s linear infinite">Roadworks on the A20 this weekend</div><p>{TEXT}</p></main>',
        {("motion-no-pause", ("2.2.2",), V)},
    ),
    (
        "carousel-no-pause",
        '<main><h1>Events</h1><div class="carousel" data-ride="carousel" data-interval="4000">'
        "<div><p>Summer reading challenge</p></div><div><p>Library late nights</p></div></div>"
        "</main>",
        {("carousel-no-pause", ("2.2.2",), V)},
    ),
    # 4.1.2, 2.1.1 widgets
    (
        "custom-control-no-role",
        '<main><h1>Help</h1><div tabindex="0" style="cursor:pointer" onclick="this.nextElement'
        'Sibling.hidden = !this.nextElementSibling.hidden">What you need</div><div hidden>'
        "<p>A bill.</p></div></main>",
        {("custom-control-no-role", ("4.1.2",), V)},
    ),
    (
        "disclosure-state-missing",
        '<main><h1>Help</h1><button type="button" aria-controls="more">What you need</button>'
        '<div id="more" hidden><p>A bill.</p></div><button type="button" aria-haspopup="menu">'
        "Account</button></main>",
        {("disclosure-state-missing", ("4.1.2",), V)},
    ),
    (
        "disclosure-state-review",
        '<main><h1>Help</h1><button type="button" class="toggle">What you need</button><div '
        'hidden><p>A bill and <a href="/id">proof of identity</a>.</p></div></main>',
        {("disclosure-state-review", ("4.1.2",), R)},
    ),
    (
        "tab-state-missing",
        '<main><h1>Opening times</h1><div role="tablist" aria-label="Libraries"><button '
        'role="tab" aria-controls="p1">North</button><button role="tab" aria-controls="p2" '
        'tabindex="-1">South</button></div><div id="p1" role="tabpanel" aria-label="North">'
        '<p>9 to 5</p></div><div id="p2" role="tabpanel" aria-label="South" hidden><p>10 to 4'
        "</p></div></main>",
        {("tab-state-missing", ("4.1.2",), V)},
    ),
    (
        "hover-only-content",
        '<header><nav aria-label="Main"><ul class="menu"><li class="has-sub"><span>Services'
        '</span><ul class="sub"><li><a href="/bins">Bins</a></li><li><a href="/roads">Roads'
        "</a></li></ul></li></ul></nav></header><main><h1>Home</h1></main>",
        {("hover-only-content", ("2.1.1",), V)},
    ),
    # 2.4.1, 2.4.6
    (
        "landmarks-missing",
        '<div class="top"><a href="/">Council</a> <a href="/a">A</a> <a href="/b">B</a> '
        '<a href="/c">C</a> <a href="/d">D</a></div><div class="content"><h1>Bins</h1>'
        f"<p>{TEXT}</p></div>",
        {("landmarks-missing", ("1.3.1", "2.4.1"), V)},
    ),
    (
        "landmarks-missing-review",
        '<a href="#c">Skip to main content</a><div class="top"><a href="/">Council</a> <a '
        'href="/a">A</a> <a href="/b">B</a> <a href="/c">C</a> <a href="/d">D</a></div><div '
        f'class="content" id="c"><h1>Bins</h1><p>{TEXT}</p></div>',
        {("landmarks-missing-review", ("1.3.1",), R)},
    ),
    (
        "heading-duplicate",
        f"<main><h1>Parking</h1><h2>Details</h2><p>{TEXT}</p><h2>Details</h2><p>{TEXT}</p></main>",
        {("heading-duplicate", ("2.4.6",), V)},
    ),
    (
        "label-duplicate",
        '<main><h1>Your details</h1><form><div class="field"><label for="a">Name</label><input '
        'id="a" type="text" autocomplete="name"></div><div class="field"><label for="b">Name'
        '</label><input id="b" type="text" autocomplete="name"></div><button>Continue</button>'
        "</form></main>",
        {("label-duplicate", ("2.4.6",), V)},
    ),
    # 3.1.2
    (
        "passage-language",
        f"<main><h1>School places</h1><p>{TEXT}</p><p>{WELSH}</p></main>",
        {("passage-language", ("3.1.2",), V)},
    ),
    # 2.5.3, 3.3.2
    (
        "label-not-in-name",
        '<main><h1>Basket</h1><button type="button" aria-label="Purchase the permit">Buy now'
        "</button></main>",
        {("label-not-in-name", ("2.5.3",), V)},
    ),
    (
        "field-no-visible-label",
        '<main><h1>Your details</h1><form><div class="field"><input type="text" name="ref" '
        'aria-label="Reference number"></div><div class="field"><button>Continue</button></div>'
        "</form></main>",
        {("field-no-visible-label", ("3.3.2",), V)},
    ),
]


WELL_BUILT: list[tuple[str, str]] = [
    (
        "images",
        '<main><h1>Libraries</h1><img src="/l.png" alt="The reading room of Maidstone library, '
        'with armchairs by the window" width="40" height="40"><img src="/d.png" alt="" '
        'width="10" height="10"><p><a href="/guide.pdf"><img src="/i.png" alt="" width="20" '
        'height="20"> Download the guide (PDF, 2MB)</a></p><p><a href="/"><img src="/logo.png" '
        'alt="Example County Council home page" width="20" height="20"></a></p></main>',
    ),
    (
        "media",
        '<main><h1>Recycling</h1><div><video controls width="200" height="100" src="/v.mp4">'
        '<track kind="captions" src="/v.vtt" srclang="en" label="English"></video><p><a '
        'href="/transcript">Read the transcript of the recycling video</a></p></div></main>',
    ),
    (
        "tables",
        "<main><h1>Bin days</h1><table><caption>Collection days</caption><thead><tr><th "
        'scope="col">Street</th><th scope="col">Day</th></tr></thead><tbody><tr><td>High '
        "Street</td><td>Monday</td></tr><tr><td>Mill Lane</td><td>Tuesday</td></tr></tbody>"
        '</table><table role="presentation"><tr><td>Left</td><td>Right</td></tr></table></main>',
    ),
    (
        "headings-and-lists",
        f"<main><h1>Parking</h1><h2>Permits</h2><p>{TEXT}</p><p><strong>Note:</strong> "
        "permits are checked daily.</p><ul><li>a utility bill</li><li>your passport</li></ul>"
        "<p>Call us on 03000 41 41 41.<br>Monday to Friday, 9am to 5pm.</p></main>",
    ),
    (
        "forms",
        "<main><h1>Your details</h1><p>All fields are required unless marked (optional).</p>"
        '<form><div class="field"><label for="n">Full name</label><input id="n" type="text" '
        'autocomplete="name"></div><div class="field"><label for="e">Email address</label>'
        '<input id="e" type="email" autocomplete="email"></div><div class="field"><label '
        'for="p">Postcode</label><input id="p" type="text" autocomplete="postal-code"></div>'
        '<div class="field"><label for="c">Child\'s full name</label><input id="c" '
        'type="text"></div><fieldset><legend>Do you have a library card?</legend><input '
        'type="radio" id="y" name="card"><label for="y">Yes</label><input type="radio" id="no" '
        'name="card"><label for="no">No</label></fieldset><div class="field"><label for="s">'
        'Street <span aria-hidden="true">*</span><span class="visually-hidden">required'
        '</span></label><input id="s" type="text" required></div><button type="submit">'
        'Continue</button><button type="button" aria-label="Search the council website">Search'
        '</button><button type="button" aria-label="Close">×</button></form>'
        '<div role="search"><input type="text" aria-label="Search" name="q"><button>Search'
        "</button></div></main>",
        # Two visually hidden helpers: the asterisk is explained in words.
    ),
    (
        "colour",
        f'<main><h1>Roads</h1><p>{TEXT} You can <a href="/report">report a pothole</a> online.'
        '</p><form><div class="field"><label for="n">Full name</label><p id="n-error" '
        'class="error-message">Enter your full name</p><input id="n" type="text" '
        'autocomplete="name" aria-invalid="true" aria-describedby="n-error" '
        'style="border-color:#d4351c"></div></form></main>',
    ),
    (
        "motion-and-widgets",
        '<main><h1>Help</h1><button type="button" aria-expanded="false" aria-controls="more">'
        'What you need</button><div id="more" hidden><p>A bill.</p></div><div role="tablist" '
        'aria-label="Libraries"><button role="tab" aria-selected="true" aria-controls="p1">'
        'North</button></div><div id="p1" role="tabpanel" aria-label="North"><p>9 to 5</p>'
        '</div><div class="carousel" aria-roledescription="carousel"><button>Pause</button>'
        '<div><p>Summer reading</p></div></div><div style="width:40px;height:40px;animation:'
        'spin 1s linear infinite" class="spinner"></div></main>',
    ),
    (
        "language",
        f'<main><h1>School places</h1><p>{TEXT}</p><p lang="cy">{WELSH}</p><p>Contact: '
        "Neuadd y Sir, Maidstone</p></main>",
    ),
    (
        "hover-and-focus-menu",
        '<header><nav aria-label="Main"><ul class="menu"><li class="has-sub"><a href="/services">'
        'Services</a><ul class="sub"><li><a href="/bins">Bins</a></li></ul></li></ul></nav>'
        "</header><main><h1>Home</h1></main>",
    ),
]

HOVER_STYLE = (
    ".menu .sub { display: none; } .menu .has-sub:hover .sub { display: block; } "
    "@keyframes slide { from { transform: translateX(0); } to { transform: translateX(50px); } }"
    "@keyframes spin { to { transform: rotate(360deg); } }"
)
HOVER_AND_FOCUS_STYLE = HOVER_STYLE + " .menu .has-sub:focus-within .sub { display: block; }"


def barrier_page(case_id: str, body: str) -> str:
    style = FORM_STYLE + HOVER_STYLE
    return page(body, title=f"{case_id} - Example County Council", style=style)


def well_built_page(case_id: str, body: str) -> str:
    style = FORM_STYLE + (HOVER_AND_FOCUS_STYLE if "hover" in case_id else HOVER_STYLE)
    return page(body, title=f"{case_id} - Example County Council", style=style)


#: Barriers the interaction check finds by acting on the page (it runs on its own).
INTERACTION_BARRIERS: list[tuple[str, str, Expected]] = [
    (
        "select-navigates",
        '<main><h1>Libraries</h1><label for="lib">Choose a library</label><select id="lib" '
        'onchange="location.href = \'/libraries/\' + this.value"><option value="">Choose'
        '</option><option value="north">North</option><option value="south">South</option>'
        "</select></main>",
        {("change-of-context", ("3.2.2",), V)},
    ),
    (
        "select-submits",
        '<main><h1>Sort</h1><form action="/results"><label for="sort">Sort by</label><select '
        'id="sort" name="sort"><option>Newest</option><option>Oldest</option></select></form>'
        "</main><script>document.getElementById('sort').addEventListener('change', (e) => "
        "e.target.form.submit());</script>",
        {("change-of-context", ("3.2.2",), V)},
    ),
    (
        "mouse-only-menu",
        '<header><nav aria-label="Main"><ul><li onmouseover="this.querySelector(\'ul\').hidden '
        '= false" onmouseout="this.querySelector(\'ul\').hidden = true"><span>Services</span>'
        '<ul hidden><li><a href="/bins">Bins</a></li><li><a href="/roads">Roads</a></li></ul>'
        "</li></ul></nav></header><main><h1>Home</h1></main>",
        {("mouse-only-content", ("2.1.1",), V)},
    ),
]

INTERACTION_WELL_BUILT: list[tuple[str, str]] = [
    (
        "select-with-button",
        '<main><h1>Libraries</h1><form action="/libraries"><label for="lib">Choose a library'
        '</label><select id="lib" name="lib" onchange="document.getElementById(\'hint\')'
        '.textContent = \'You chose \' + this.value"><option value="north">North</option>'
        '<option value="south">South</option></select><p id="hint"></p><button>Go</button>'
        '</form><label for="jump">Jump to</label><select id="jump" onchange="location.hash = '
        'this.value"><option value="a">A</option><option value="b">B</option></select>'
        '<h2 id="a">A</h2><h2 id="b">B</h2></main>',
    ),
    (
        "menu-on-hover-and-focus",
        '<header><nav aria-label="Main"><ul><li onmouseover="this.querySelector(\'ul\').hidden '
        '= false" onfocusin="this.querySelector(\'ul\').hidden = false"><a href="/services">'
        'Services</a><ul hidden><li><a href="/bins">Bins</a></li></ul></li></ul></nav></header>'
        "<main><h1>Home</h1></main>",
    ),
]
