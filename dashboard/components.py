"""Small building blocks shared by the views: statuses in words, charts with tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from monitor.exports import safe_cell
from monitor.measures import MeasureResult, Status


def status_text(status: Status) -> str:
    """Markdown for a status: a coloured shape and the words (never colour alone)."""
    return f":{status.colour}[{status.symbol} {status.value}]"


def status_plain(result: MeasureResult) -> str:
    return f"{result.shown()} {result.status.symbol} {result.status.value}"


def measure_card(result: MeasureResult) -> None:
    """One measure: its value, its status in words, its target and its change."""
    change = result.change
    delta = None
    if change is not None:
        delta = f"{change:+.1f}{' points' if result.unit == '%' else ''}"
    st.metric(
        result.label,
        result.shown(),
        delta=delta,
        delta_color="normal" if result.higher_is_better else "inverse",
        help=f"Target {result.shown(result.target)}; near target from "
        f"{result.shown(result.amber)}. Change: {result.change_words()}.",
    )
    st.markdown(status_text(result.status))
    st.markdown(f"Target {result.shown(result.target)} · {result.change_words()}")


def chart_with_table(
    frame: pd.DataFrame,
    *,
    x: str,
    y: Sequence[str],
    title: str,
    kind: str = "line",
    y_label: str | None = None,
) -> None:
    """A chart and the same numbers as a table, so nobody depends on seeing the chart."""
    st.markdown(f"**{title}**")
    if frame.empty:
        st.info("No data yet for this chart.")
        return
    chart_tab, table_tab = st.tabs(["Chart", "Table"])
    with chart_tab:
        st.altair_chart(_chart(frame, x=x, y=y, kind=kind, y_label=y_label, title=title), alt=title)
    with table_tab:
        data_table(frame[[x, *y]], "-".join(["chart", *title.lower().split()])[:60])


def _chart(
    frame: pd.DataFrame, *, x: str, y: Sequence[str], kind: str, y_label: str | None, title: str
) -> alt.Chart:
    """A Vega-Lite chart whose marks stay out of the accessibility tree (the table beside
    it carries the numbers), with series told apart by dash or position, not colour only."""
    long = frame.melt(id_vars=[x], value_vars=list(y), var_name="series", value_name="value")
    if pd.api.types.is_datetime64_any_dtype(frame[x]) or x == "week":
        x_type = "T"
    elif x == "run":
        x_type = "O"
    else:
        x_type = "N"
    x_enc = alt.X(f"{x}:{x_type}", title=x.replace("_", " "))
    y_enc = alt.Y("value:Q", title=y_label or "")
    if kind == "bar":
        chart = (
            alt.Chart(long)
            .mark_bar(aria=False)
            .encode(
                x=x_enc, y=y_enc, color="series:N", xOffset="series:N", tooltip=list(long.columns)
            )
        )
    else:
        chart = (
            alt.Chart(long)
            .mark_line(point=alt.OverlayMarkDef(aria=False), aria=False)
            .encode(
                x=x_enc,
                y=y_enc,
                color="series:N",
                strokeDash="series:N",
                shape="series:N",
                tooltip=list(long.columns),
            )
        )
    return chart.configure(aria=False)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV that a spreadsheet will not run as formulas."""
    return frame.map(safe_cell).to_csv(index=False).encode("utf-8")


def data_table(frame: pd.DataFrame, name: str, **options: Any) -> None:
    """A table and its CSV download (formula-safe): every table can be taken away."""
    st.dataframe(frame, hide_index=True, width="stretch", **options)
    if not frame.empty:
        download_csv(frame, name)


def download_csv(frame: pd.DataFrame, name: str, label: str = "Download as CSV") -> None:
    st.download_button(
        label, csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv", key=f"csv-{name}"
    )


def pick_service(label: str = "Service", key: str = "service") -> str | None:
    """A service picker that remembers its choice in the address (``?service=``)."""
    services = data.services()
    if not services:
        st.info("No services yet. Run `monitor audit` or `monitor demo seed-history`.")
        return None
    ids = [s for s, _ in services]
    names = dict(services)
    wanted = st.query_params.get("service")
    index = ids.index(wanted) if wanted in ids else 0
    chosen = st.selectbox(label, ids, index=index, format_func=lambda s: names[s], key=key)
    if chosen and st.query_params.get("service") != chosen:
        st.query_params["service"] = chosen
    return chosen


def service_name(service_id: str) -> str:
    return dict(data.services()).get(service_id, service_id)
