"""Small building blocks the views share: statuses in words, charts that always come with
their table, tables with human column names and one download each, and the service
picker that keeps its choice in the address.

Only drawing happens here; every number arrives computed (``dashboard.data``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import auth, data
from monitor import humanise
from monitor.exports import exporter
from monitor.measures import RATING_LABELS, MeasureResult, Status
from monitor.measures.morning import MorningSummary
from monitor.measures.trends import RunPoint, WeekPoint
from monitor.repository.read import CommentRow
from monitor.vocabulary import Impact

#: Severity, most severe first, from dark to light red: the order residents are harmed in.
SEVERITY_COLOURS = {
    Impact.critical.label: "#67001f",
    Impact.serious.label: "#b2182b",
    Impact.moderate.label: "#d6604d",
    Impact.minor.label: "#8d5a4a",
}
#: The five-point scale, worst to best, on a diverging red–grey–blue scale (safe for the
#: common colour blindnesses; every bar also carries its number and its answer in words).
RATING_COLOURS = {
    RATING_LABELS[1]: "#b2182b",
    RATING_LABELS[2]: "#d6604d",
    RATING_LABELS[3]: "#767676",
    RATING_LABELS[4]: "#4393c3",
    RATING_LABELS[5]: "#2166ac",
}


def status_text(status: Status) -> str:
    """Markdown for a status: a coloured shape and the words (never colour alone)."""
    return f":{status.colour}[{status.symbol} {status.value}]"


def status_plain(result: MeasureResult) -> str:
    """A measure in a table cell: "84.6% · ● On target"."""
    if result.status is Status.too_few:
        return f"{result.status.symbol} {result.shown()}"
    return f"{result.shown()} · {result.status.symbol} {result.status.value}"


def change_cell(result: MeasureResult, since: str) -> str:
    """A change in words with an arrow, green when better and red when worse."""
    change = result.change(since)
    if change is None:
        compared = result.compared(since)
        return "none earlier" if compared is None or compared.value is None else "no value now"
    if round(change, 1) == 0:
        return "no change"
    points = " pts" if result.unit == "%" else ""
    digits = 0 if result.unit == "count" else 1
    arrow = "▲" if change > 0 else "▼"
    if result.improved(since):
        return f":green[{arrow} {change:+.{digits}f}{points}, better]"
    return f":red[{arrow} {change:+.{digits}f}{points}, worse]"


def measures_table(results: Sequence[MeasureResult], comparisons: Sequence[str]) -> None:
    """The measures as a compact table (a real HTML table: screen readers read it as one):
    value, status in words against the target, and each change."""
    head = ["Measure", "Now", "Against target", *[f"Since {c}" for c in comparisons]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        now = (
            result.shown() if result.status is not Status.too_few else (f"{result.sample} answers")
        )
        cells = [
            result.label,
            now,
            f"{status_text(result.status)} ({result.shown(result.target)})",
            *[change_cell(result, c) for c in comparisons],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(lines))
    short = [r for r in results if r.status is Status.too_few]
    if short:
        st.markdown(
            f"Too few answers: a share of residents' answers needs at least "
            f"{short[0].min_sample} answers."
        )


def measure_card(result: MeasureResult, since: str) -> None:
    """One measure: its value, its status in words, its target and its change."""
    change = result.change(since)
    delta = None
    if change is not None:
        delta = f"{change:+.1f}{' points' if result.unit == '%' else ''} since {since}"
    st.metric(
        result.label,
        result.shown() if result.status is not Status.too_few else "Too few answers",
        delta=delta,
        delta_color="normal" if result.higher_is_better else "inverse",
        help=f"Target {result.shown(result.target)}; near target from "
        f"{result.shown(result.amber)}.",
    )
    st.markdown(f"{status_text(result.status)} · target {result.shown(result.target)}")


# --- tables --------------------------------------------------------------------------------


def export_bytes(frame: pd.DataFrame, format: str = "csv") -> bytes:
    """The table in an export format (CSV: a spreadsheet will not run its cells as
    formulas); a missing value is an empty cell or null."""
    plain = frame.astype(object).where(frame.notna(), None)
    return exporter(format).to_bytes(list(frame.columns), plain.itertuples(index=False))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return export_bytes(frame, "csv")


def table(
    rows: Sequence[Mapping[str, Any]] | pd.DataFrame,
    name: str,
    *,
    title: str,
    columns: Sequence[str] | None = None,
    links: Mapping[str, str] | None = None,
    download: bool = True,
    height: int | None = None,
) -> pd.DataFrame:
    """A table with human column names and one download, named after what it holds.

    ``links`` maps a column of addresses to the words each link shows."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=columns)
    config: dict[str, Any] = {
        column: st.column_config.LinkColumn(column, display_text=text)
        for column, text in (links or {}).items()
    }
    # A fixed height only when the rows need scrolling: empty rows below a short table
    # look like missing data.
    rows_height = 35 * (len(frame) + 1) + 3
    options: dict[str, Any] = {"height": height} if height and rows_height > height else {}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, **options)
    if download and not frame.empty:
        download_csv(frame, name, f"Download {title.lower()} (CSV)")
    return frame


def download_csv(frame: pd.DataFrame, name: str, label: str) -> None:
    st.download_button(
        label, csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv", key=f"csv-{name}"
    )


# --- charts --------------------------------------------------------------------------------


ChartLike = alt.Chart | alt.LayerChart | alt.FacetChart


def _quiet(chart: ChartLike) -> ChartLike:
    """Marks stay out of the accessibility tree: the table beside the chart carries the
    numbers, and a screen reader would otherwise read every bar's SVG path."""
    return chart.configure(aria=False).configure_axis(labelFontSize=13, titleFontSize=13)


def chart_and_table(title: str, chart: ChartLike, frame: pd.DataFrame, name: str) -> None:
    """A chart and the same numbers as a table, so nobody depends on seeing the chart."""
    st.markdown(f"**{title}**")
    if frame.empty:
        st.info("No data yet for this chart.")
        return
    chart_tab, table_tab = st.tabs(["Chart", "Table"])
    with chart_tab:
        st.altair_chart(_quiet(chart), width="stretch")
    with table_tab:
        table(frame, name, title=title)


def ordered_bars(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    order: Sequence[str],
    colours: Mapping[str, str],
) -> ChartLike:
    """Horizontal bars in the categories' natural order, each labelled with its number."""
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", sort=list(order), title=None),
        x=alt.X(f"{value}:Q", title=value),
    )
    bars = base.mark_bar(aria=False).encode(
        color=alt.Color(
            f"{category}:N",
            scale=alt.Scale(domain=list(colours), range=list(colours.values())),
            legend=None,
        ),
        tooltip=[category, value],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=13, color="#0b0c0c", aria=False).encode(
        text=alt.Text(f"{value}:Q", format=",.0f")
    )
    return alt.layer(bars, labels).properties(height=max(60, 34 * len(order)))


def stacked_ratings(frame: pd.DataFrame, *, x: str) -> alt.Chart:
    """Answers on the five-point scale, stacked worst to best on a diverging scale."""
    long = frame.melt(
        id_vars=[x], value_vars=list(RATING_COLOURS), var_name="Answer", value_name="Answers"
    )
    order = list(RATING_COLOURS)
    long["order"] = long["Answer"].map(order.index)
    return (
        alt.Chart(long)
        .mark_bar(aria=False)
        .encode(
            x=alt.X(f"{x}:N", title=x, sort=None),
            y=alt.Y("Answers:Q", stack="zero"),
            color=alt.Color(
                "Answer:N",
                scale=alt.Scale(domain=order, range=list(RATING_COLOURS.values())),
                sort=order,
                legend=alt.Legend(orient="bottom", title=None, columns=3),
            ),
            order=alt.Order("order:Q"),
            tooltip=[x, "Answer", "Answers"],
        )
    )


def lines(frame: pd.DataFrame, *, x: str, series: Sequence[str], y_title: str) -> alt.Chart:
    """Lines told apart by dash and point shape as well as colour; gaps where a value is
    missing (too few answers), never a drop to zero."""
    long = frame.melt(id_vars=[x], value_vars=list(series), var_name="Measure", value_name="Value")
    return (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(aria=False, size=60), aria=False)
        .encode(
            x=alt.X(f"{x}:N", title=x, sort=None),
            y=alt.Y("Value:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("Measure:N", legend=alt.Legend(orient="bottom", title=None)),
            strokeDash="Measure:N",
            shape="Measure:N",
            tooltip=[x, "Measure", alt.Tooltip("Value:Q", format=".1f")],
        )
    )


# --- choosing a service ------------------------------------------------------------------


def pick_service(
    label: str = "Service", *, key: str = "service", everything: str | None = None
) -> str | None:
    """A service picker whose choice lives in the address (``?service=``), so a link to a
    view can be shared and bookmarked.

    It opens on the service in the address; failing that the one chosen last in this
    session; failing that the viewer's own first service (``access.yaml``); failing that
    ``everything`` ("All services") when given, or the first service by name."""
    known = data.services()
    if not known:
        st.info("No services yet. Run `monitor audit` or `monitor demo seed-history`.")
        return None
    names = dict(known)
    own = [s for s, _ in known if s in auth.viewer().services]
    options: list[str] = ([""] if everything else []) + own + [s for s, _ in known if s not in own]
    wanted = st.query_params.get("service") or st.session_state.get("chosen-service")
    if wanted not in options:
        wanted = own[0] if own else options[0]
    chosen = st.selectbox(
        label,
        options,
        index=options.index(wanted),
        format_func=lambda s: names.get(s, "") if s else (everything or ""),
        key=key,
    )
    chosen = chosen or ""
    st.session_state["chosen-service"] = chosen
    if chosen:
        if st.query_params.get("service") != chosen:
            st.query_params["service"] = chosen
    elif "service" in st.query_params:
        del st.query_params["service"]
    return chosen or None


def service_heading(key: str, heading: str) -> tuple[str, MorningSummary, Any]:
    """A service view's title beside its service picker: the service chosen, its morning
    summary and the title's column (for a line under the title). Stops the view when
    there is no service yet."""
    top, picker = st.columns([3, 1], vertical_alignment="bottom")
    with picker:
        service_id = pick_service(key=key)
    if service_id is None:
        st.stop()
    summary = data.morning(service_id)
    with top:
        st.title(f"{summary.name}: {heading}")
    return service_id, summary, top


def comment_cells(comment: CommentRow) -> dict[str, Any]:
    """A resident's answer and words as the columns of a comments CSV."""
    useful = comment.useful
    return {
        "Page": comment.page,
        "Rating": RATING_LABELS.get(comment.rating or 0, ""),
        "Page useful": "" if useful is None else ("Yes" if useful else "No"),
        "Comment": comment.comment,
        "What were you doing": comment.what_doing,
        "What went wrong": comment.what_wrong,
    }


def when(value: Any) -> str:
    return humanise.when(value, data.timezone()) if value is not None else ""


def day(value: Any) -> str:
    return humanise.day(value, data.timezone()) if value is not None else ""


_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]()<>#+-.!|~$:"})


def md(text: str) -> str:
    """Text from a crawled page (an element, an address, a message) made inert in Markdown:
    shown as written, never as formatting, a link or HTML."""
    return " ".join(str(text).split()).translate(_MARKDOWN_SPECIAL)


def code(text: str, limit: int = 120) -> str:
    """Inline code for an element or address (backticks inside are dropped, long ones cut)."""
    plain = " ".join(str(text).split()).replace("`", "'")
    if len(plain) > limit:
        plain = plain[: limit - 1] + "…"
    return f"`{plain}`" if plain else ""


def reach_notes(service_id: str, measured_at: Any) -> None:
    """Whether the newest audit reached the service: a service that was down or whose
    sign-in failed is named, with the date its measures were last taken (they are kept,
    never counted as a clean night)."""
    down = data.not_reached(service_id)
    if down is not None:
        run_id, began, reason = down
        since = (
            f" The measures below are from the audit of {when(measured_at)}." if measured_at else ""
        )
        st.error(
            f"Unreachable in audit run {run_id} ({when(began)}): {reason}. Nothing was "
            f"concluded from that run: no issue opened or closed.{since}"
        )
    access = data.access_note(service_id)
    if access is not None and (access.sign_in_failed or access.needs_sign_in):
        # Pages not reached are not barriers: their issues stay as they were.
        st.warning(" ".join(access.lines()))
    elif access is not None and access.signed_in:
        st.caption(
            f"Audited signed in: {access.signed_in} page(s) seen as a resident with an account."
        )


AUDIT_SERIES = ["Pages with no serious failure (%)", "Brand compliance (%)"]
WEEKLY_SERIES = ["Satisfaction (%)", "Pages found useful (%)", "Journey completion (%)"]


def audit_trend_chart(points: Sequence[RunPoint], title: str, key: str) -> None:
    """Accessibility and branding per audit run, as a line chart with its table."""
    runs = pd.DataFrame(
        [
            {
                "Audit run": f"{p.run_id} ({day(p.started_at)})",
                AUDIT_SERIES[0]: p.accessibility,
                AUDIT_SERIES[1]: p.brand_compliance,
            }
            for p in points
        ],
        columns=["Audit run", *AUDIT_SERIES],
    )
    chart_and_table(
        title,
        lines(runs, x="Audit run", series=AUDIT_SERIES, y_title="% of pages"),
        runs.round(1),
        key,
    )


def weekly_trend_chart(weeks: Sequence[WeekPoint], key: str) -> None:
    """Residents' answers and journey completion per complete week, with its table (the
    week in progress is left out: a few days would read as a swing)."""
    complete = pd.DataFrame(
        [
            {
                "Week of": day(w.week),
                WEEKLY_SERIES[0]: w.satisfaction,
                WEEKLY_SERIES[1]: w.page_useful,
                WEEKLY_SERIES[2]: w.journey_completion,
            }
            for w in weeks
            if not w.partial
        ],
        columns=["Week of", *WEEKLY_SERIES],
    )
    chart_and_table(
        "Residents and journeys, last 11 complete weeks",
        lines(complete, x="Week of", series=WEEKLY_SERIES, y_title="%"),
        complete.round(1),
        key,
    )


def ratings_by_week_chart(weeks: Sequence[WeekPoint], title: str, key: str) -> None:
    """Residents' answers to "How satisfied were you?" week by week, stacked worst to best,
    with their table (the week in progress says "so far")."""
    answers = pd.DataFrame(
        [
            {
                "Week of": day(w.week) + (" (so far)" if w.partial else ""),
                **{RATING_LABELS[r]: w.ratings.get(r, 0) for r in RATING_LABELS},
            }
            for w in weeks
        ],
        columns=["Week of", *RATING_COLOURS],
    )
    chart_and_table(title, stacked_ratings(answers, x="Week of"), answers, key)
