"""Request context, responses and small HTML helpers shared by the demo site's pages."""

from __future__ import annotations

import hashlib
import html
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from demo.sessions import Accounts

HTML = "text/html; charset=utf-8"


def esc(text: object) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(str(text), quote=True)


@dataclass
class Response:
    """What a page handler returns; the server adds the status line and Content-Length."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait (interruptibly) before answering
    # A body sent piece by piece with no Content-Length (the connection close ends it).
    chunks: Iterable[bytes] | None = None

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def redirect(location: str, status: int = 303) -> Response:
    """A redirect with a tiny HTML body, as real servers send."""
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Redirecting</title>'
        f'</head><body><p>Redirecting to <a href="{esc(location)}">{esc(location)}</a></p>'
        "</body></html>"
    )
    return Response(status=status, body=body, headers={"Location": location})


@dataclass
class Ctx:
    """Everything a page needs to render one response.

    ``active(defect_id)`` says whether a manifest defect is currently present (not fixed).
    ``csrf``, ``nonce`` and ``generated`` are the per-request noise every HTML page carries.
    """

    path: str
    host: str  # "main" or "supplier"
    main_url: str
    supplier_url: str
    feedback_url: str | None
    active: Callable[[str], bool]
    csrf: str = "csrf"
    nonce: str = "nonce"
    generated: str = "1970-01-01T00:00:00.000000Z"
    extra_paragraph: str | None = None
    method: str = "GET"
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    slow_seconds: float = 0.0
    stopping: threading.Event = field(default_factory=threading.Event)  # set on shutdown
    cookies: Mapping[str, str] = field(default_factory=dict)  # what the browser sent
    accounts: Accounts | None = None  # the "My account" area's sessions (``demo.account``)
    #: The paragraph added (``DemoSite.set_page_text``) to any page or app route.
    text_for: Callable[[str], str | None] = lambda _path: None

    def value(self, name: str) -> str:
        """A submitted value: the form on POST, else the query string."""
        source = self.form if self.method == "POST" else self.query
        return source.get(name, "").strip()


Handler = Callable[[Ctx], Response]


def csrf_input(ctx: Ctx) -> str:
    return f'<input type="hidden" name="csrf_token" value="{esc(ctx.csrf)}">'


def hidden_inputs(values: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in values.items()
    )


def with_query(path: str, values: Mapping[str, str]) -> str:
    kept = {k: v for k, v in values.items() if v}
    return f"{path}?{urlencode(kept)}" if kept else path


def reference(prefix: str, values: Mapping[str, str]) -> str:
    """A stable reference number derived from the submitted answers."""
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()
    return f"{prefix}-{int(digest[:8], 16) % 1_000_000:06d}"


# ----- form fields in the council's (GOV.UK-like) style ---------------------------------

Errors = Mapping[str, str]  # field id -> message, in page order


def error_summary(errors: Errors, *, css: str = "error-summary") -> str:
    if not errors:
        return ""
    items = "".join(
        f'<li><a href="#{esc(fid)}">{esc(message)}</a></li>' for fid, message in errors.items()
    )
    return (
        f'<div class="{css}" role="alert" aria-labelledby="error-summary-title" tabindex="-1">'
        '<h2 id="error-summary-title">There is a problem</h2>'
        f"<ul>{items}</ul></div>"
    )


def text_field(
    fid: str,
    label: str,
    value: str = "",
    *,
    errors: Errors | None = None,
    hint: str | None = None,
    autocomplete: str | None = None,
    input_type: str = "text",
    css: str = "",
    spellcheck: bool | None = None,
    textarea: bool = False,
) -> str:
    error = (errors or {}).get(fid)
    described = []
    parts = [f'<div class="form-group{" form-group--error" if error else ""}">']
    parts.append(f'<label for="{fid}">{esc(label)}</label>')
    if hint:
        parts.append(f'<p class="hint" id="{fid}-hint">{esc(hint)}</p>')
        described.append(f"{fid}-hint")
    if error:
        parts.append(
            f'<p class="error-message" id="{fid}-error">'
            f'<span class="visually-hidden">Error:</span> {esc(error)}</p>'
        )
        described.append(f"{fid}-error")
    attrs = f'id="{fid}" name="{fid}"'
    classes = " ".join(c for c in (css, "input--error" if error else "") if c)
    if classes:
        attrs += f' class="{classes}"'
    if described:
        attrs += f' aria-describedby="{" ".join(described)}"'
    if error:
        attrs += ' aria-invalid="true"'
    if autocomplete:
        attrs += f' autocomplete="{autocomplete}"'
    if spellcheck is not None:
        attrs += f' spellcheck="{"true" if spellcheck else "false"}"'
    if textarea:
        parts.append(f'<textarea {attrs} rows="5">{esc(value)}</textarea>')
    else:
        parts.append(f'<input type="{input_type}" {attrs} value="{esc(value)}">')
    parts.append("</div>")
    return "".join(parts)


def radio_field(
    name: str,
    legend: str,
    options: Sequence[tuple[str, str]],
    value: str = "",
    *,
    errors: Errors | None = None,
    hint: str | None = None,
    legend_is_heading: bool = False,
) -> str:
    """Radios in a fieldset; the first radio's id is ``name`` so errors can link to it."""
    error = (errors or {}).get(name)
    described = []
    extra = ""
    if hint:
        extra += f'<p class="hint" id="{name}-hint">{esc(hint)}</p>'
        described.append(f"{name}-hint")
    if error:
        extra += (
            f'<p class="error-message" id="{name}-error">'
            f'<span class="visually-hidden">Error:</span> {esc(error)}</p>'
        )
        described.append(f"{name}-error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    legend_html = f"<h1>{esc(legend)}</h1>" if legend_is_heading else esc(legend)
    choices = []
    for index, (option_value, option_label) in enumerate(options):
        rid = name if index == 0 else f"{name}-{index + 1}"
        checked = " checked" if value == option_value else ""
        choices.append(
            f'<div class="choice"><input type="radio" id="{rid}" name="{name}" '
            f'value="{esc(option_value)}"{checked}>'
            f'<label for="{rid}">{esc(option_label)}</label></div>'
        )
    return (
        f'<div class="form-group{" form-group--error" if error else ""}">'
        f"<fieldset{aria}><legend>{legend_html}</legend>{extra}{''.join(choices)}</fieldset>"
        "</div>"
    )
