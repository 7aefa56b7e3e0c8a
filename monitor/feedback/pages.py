"""The collector's own HTML pages: the full feedback form that works without JavaScript
(the GOV.UK pattern), its error summary, and the thank-you page.

No inline script or style anywhere, so the pages are served with a strict
Content-Security-Policy; every text field has a visible label and every group of radios a
fieldset and legend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from monitor.feedback.submission import (
    COMPLETED_QUESTION,
    HONEYPOT_FIELD,
    MAX_TEXT,
    PROBLEM_HEADING,
    SATISFACTION_QUESTION,
    USEFUL_QUESTION,
    WHAT_DOING,
    WHAT_WRONG,
    FieldError,
)
from monitor.vocabulary import RATING_LABELS

PERSONAL_DATA_HINT = (
    "Do not include personal information such as your name, email address, phone number, "
    "address or any reference numbers. We remove them if you do."
)


def _layout(title: str, council: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} - {escape(council)}</title>
<link rel="stylesheet" href="/widget.css">
</head>
<body class="dx-page">
<a class="dx-skip-link" href="#main">Skip to main content</a>
<header class="dx-page__header"><p class="dx-page__council">{escape(council)}</p></header>
<main id="main" class="dx-page__main">
{body}
</main>
<footer class="dx-page__footer"><p>Feedback about the council's online services.</p></footer>
</body>
</html>
"""


def _hidden(name: str, value: str | None) -> str:
    if value is None:
        return ""
    return f'<input type="hidden" name="{name}" value="{escape(value)}">'


def _honeypot(suffix: str) -> str:
    # Hidden from people (display: none in the stylesheet); robots fill every field.
    return (
        f'<div class="dx-feedback__hp"><label for="{HONEYPOT_FIELD}-{suffix}">Leave this field '
        f'empty</label><input type="text" id="{HONEYPOT_FIELD}-{suffix}" name="{HONEYPOT_FIELD}" '
        'autocomplete="off" tabindex="-1"></div>'
    )


def _error_for(errors: Mapping[str, str], field: str, element_id: str) -> tuple[str, str, str]:
    """(class suffix, error message html, aria-describedby id) for one field."""
    message = errors.get(field)
    if not message:
        return "", "", ""
    return (
        " dx-field--error",
        f'<p class="dx-error-message" id="{element_id}-error">'
        f'<span class="dx-visually-hidden">Error:</span> {escape(message)}</p>',
        f"{element_id}-error",
    )


def _textarea(
    field: str, suffix: str, label: str, values: Mapping[str, str], errors: Mapping[str, str]
) -> str:
    element_id = f"{field}-{suffix}"
    css, message, described = _error_for(errors, field, element_id)
    hint_id = f"{element_id}-hint"
    describedby = " ".join(x for x in (hint_id, described) if x)
    return f"""<div class="dx-field{css}">
<label class="dx-label" for="{element_id}">{escape(label)}</label>
<p class="dx-hint" id="{hint_id}">At most {MAX_TEXT:,} characters.</p>
{message}<textarea class="dx-textarea" id="{element_id}" name="{field}" rows="4" \
maxlength="{MAX_TEXT}" aria-describedby="{describedby}">{escape(values.get(field, ""))}</textarea>
</div>"""


def _radios(
    field: str,
    suffix: str,
    legend: str,
    options: Sequence[tuple[str, str]],
    values: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    heading: bool = False,
) -> str:
    group_id = f"{field}-{suffix}"
    css, message, described = _error_for(errors, field, group_id)
    chosen = values.get(field, "")
    items = []
    for index, (value, label) in enumerate(options):
        element_id = group_id if index == 0 else f"{group_id}-{index + 1}"
        checked = " checked" if chosen == value else ""
        items.append(
            f'<div class="dx-radio"><input type="radio" id="{element_id}" name="{field}" '
            f'value="{escape(value)}"{checked}>'
            f'<label for="{element_id}">{escape(label)}</label></div>'
        )
    legend_html = f"<h2>{escape(legend)}</h2>" if heading else escape(legend)
    describedby = f' aria-describedby="{described}"' if described else ""
    return f"""<div class="dx-field{css}"><fieldset class="dx-fieldset"{describedby}>
<legend class="dx-legend">{legend_html}</legend>
{message}{"".join(items)}
</fieldset></div>"""


def _error_summary(errors: Sequence[FieldError], suffix: str) -> str:
    if not errors:
        return ""
    items = "".join(
        f'<li><a href="#{escape(e.field)}-{suffix}">{escape(e.field.replace("_", " "))}: '
        f"{escape(e.message)}</a></li>"
        for e in errors
    )
    return (
        '<div class="dx-error-summary" role="alert" tabindex="-1" id="error-summary">'
        f'<h2 class="dx-error-summary__title">There is a problem</h2><ul>{items}</ul></div>'
    )


def form_page(
    *,
    council: str,
    service_id: str,
    service_name: str,
    page: str,
    return_to: str | None,
    kind: str | None = None,
    values: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] = (),
) -> str:
    """The whole feedback page: page useful, report a problem, and the service rating."""
    values = values or {}
    by_field = {e.field: e.message for e in errors}
    common = (
        _hidden("service", service_id) + _hidden("page", page) + _hidden("return_to", return_to)
    )

    def form(
        form_kind: str, inner: Callable[[Mapping[str, str], Mapping[str, str]], str], button: str
    ) -> str:
        summary = _error_summary(errors, form_kind) if form_kind == kind else ""
        form_errors = by_field if form_kind == kind else {}
        form_values = values if form_kind == kind else {}
        return (
            f'<section class="dx-section" aria-labelledby="heading-{form_kind}">{summary}'
            f'<form method="post" action="/feedback" class="dx-form" novalidate>{common}'
            f"{_hidden('kind', form_kind)}{inner(form_errors, form_values)}"
            f"{_honeypot(form_kind)}"
            f'<button type="submit" class="dx-button">{escape(button)}</button>'
            "</form></section>"
        )

    def useful(errs: Mapping[str, str], vals: Mapping[str, str]) -> str:
        return '<h2 id="heading-page_useful" class="dx-visually-hidden">Page useful</h2>' + _radios(
            "useful",
            "page_useful",
            USEFUL_QUESTION,
            [("yes", "Yes"), ("no", "No")],
            vals,
            errs,
            heading=False,
        )

    def problem(errs: Mapping[str, str], vals: Mapping[str, str]) -> str:
        return (
            f'<h2 id="heading-problem">{escape(PROBLEM_HEADING)}</h2>'
            f'<p class="dx-hint">{escape(PERSONAL_DATA_HINT)}</p>'
            + _textarea("what_doing", "problem", WHAT_DOING, vals, errs)
            + _textarea("what_wrong", "problem", WHAT_WRONG, vals, errs)
        )

    def satisfaction(errs: Mapping[str, str], vals: Mapping[str, str]) -> str:
        ratings = [(str(v), RATING_LABELS[v]) for v in range(5, 0, -1)]
        return (
            '<h2 id="heading-satisfaction">Rate this service</h2>'
            + _radios("rating", "satisfaction", SATISFACTION_QUESTION, ratings, vals, errs)
            + _radios(
                "completed",
                "satisfaction",
                COMPLETED_QUESTION,
                [("yes", "Yes"), ("partly", "Partly"), ("no", "No")],
                vals,
                errs,
            )
            + f'<p class="dx-hint">{escape(PERSONAL_DATA_HINT)}</p>'
            + _textarea("comment", "satisfaction", "How could we improve this service?", vals, errs)
        )

    body = (
        f"<h1>Give feedback about {escape(service_name)}</h1>"
        f'<p>About the page <span class="dx-path">{escape(page)}</span>.</p>'
        + form("page_useful", useful, "Send")
        + form("problem", problem, "Send report")
        + form("satisfaction", satisfaction, "Send rating")
    )
    title = ("Error: " if errors else "") + "Give feedback"
    return _layout(title, council, body)


def thanks_page(*, council: str, back_url: str | None, service_name: str | None) -> str:
    back = (
        f'<p><a class="dx-link" href="{escape(back_url)}">Return to '
        f"{escape(service_name or 'the page')}</a></p>"
        if back_url
        else ""
    )
    body = (
        '<div class="dx-panel" role="status"><h1>Thank you for your feedback</h1>'
        "<p>We read every comment and use it to improve our services.</p></div>" + back
    )
    return _layout("Thank you for your feedback", council, body)


def message_page(*, council: str, title: str, message: str) -> str:
    return _layout(title, council, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")
