"""A database as the monitor stored it before revision 0008: every finding copied into
every run, carried page and brand results copied whole. For the migration's test.

``write_old_history`` simulates nights of audits of a few services the way the monitor
of revision 0007 recorded them (``record_page``, ``record_carried_page``,
``replace_check_findings``, journeys), with everything that makes a history awkward:
pages that change, fail or stay pending in an interrupted run, checks that could not
judge a page, the same finding twice on a page, a link check run again on carried pages,
statement findings on a page no run visited, carried pages whose address changed, brand
results carried from carried results. ``old_answers`` answers, in plain SQL over that
schema, every question the product asks of the stored runs.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection

from monitor.db import alembic_config, engine_for

SERVICES = ("alpha", "beta", "gamma")
PAGES_PER_SERVICE = 6
CONTENT = (
    "check",
    "rule",
    "outcome",
    "wcag",
    "impact",
    "selector",
    "snippet",
    "message",
    "help_url",
    "fingerprint",
    "region",
    "journey_id",
    "journey_step",
)
RULES = [
    ("axe", "image-alt", "critical", "1.1.1"),
    ("axe", "label", "critical", "1.3.1"),
    ("axe", "color-contrast", "serious", "1.4.3"),
    ("axe", "region", "moderate", "1.3.1"),
    ("axe", "heading-order", "moderate", "1.3.1"),
    ("forms", "group-no-name", "serious", "1.3.1"),
    ("links", "broken-link", "minor", ""),
]
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def upgrade_to(database_url: str, revision: str) -> None:
    with engine_for(database_url).begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_to(database_url: str, revision: str) -> None:
    with engine_for(database_url).begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _finding(
    rng: random.Random, service: str, rule: tuple[str, str, str, str], n: int
) -> dict[str, Any]:
    check, name, impact, wcag = rule
    selector = f"#{name}-{n}"
    return {
        "check": check,
        "rule": name,
        "outcome": "needs_review" if n % 5 == 0 else "violation",
        "wcag": wcag,
        "impact": impact,
        "selector": selector,
        "snippet": f'<div id="{name}-{n}">',
        "message": f"{name} fails",
        "help_url": f"https://example.test/{name}",
        "fingerprint": f"{service}-{name}-{n}",
        "region": "footer" if n % 7 == 0 else None,
        "journey_id": None,
        "journey_step": None,
    }


class _Writer:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ids: Counter[str] = Counter()

    def add(self, table: str, row: dict[str, Any]) -> int:
        if "id" not in row and table not in ("issuepage",):
            self.ids[table] += 1
            row = {"id": self.ids[table], **row}
        self.rows[table].append(row)
        return row["id"] if isinstance(row.get("id"), int) else 0

    def flush(self, tables: tuple[str, ...]) -> None:
        for table in tables:
            rows = self.rows.pop(table, [])
            if not rows:
                continue
            columns = sorted({key for row in rows for key in row})
            json = {"facts", "check_errors", "rules", "details", "service_ids", "options",
                    "check_versions", "tags", "flags"}  # fmt: skip
            target = sa.table(
                table, *(sa.column(c, sa.JSON if c in json else None) for c in columns)
            )
            for start in range(0, len(rows), 2000):
                self.connection.execute(
                    target.insert(),
                    [{c: row.get(c) for c in columns} for row in rows[start : start + 2000]],
                )


def write_old_history(database_url: str, *, nights: int, seed: int = 23) -> None:
    """Nights of audits (and a journey replay every fifth night) in the pre-0008 store."""
    rng = random.Random(seed)
    with engine_for(database_url).begin() as connection:
        writer = _Writer(connection)
        for service in SERVICES:
            writer.add(
                "service",
                {
                    "id": service,
                    "name": service.title(),
                    "owner_name": "",
                    "owner_email": "",
                    "tags": {},
                    "active": True,
                    "updated_at": NOW,
                },
            )
        pages: dict[str, list[int]] = {}
        statement_page: dict[str, int] = {}
        for service in SERVICES:
            for n in range(PAGES_PER_SERVICE + 1):
                path = "accessibility" if n == PAGES_PER_SERVICE else f"p{n}"
                url = f"https://{service}.example.test/{path}"
                page_id = writer.add(
                    "page",
                    {
                        "service_id": service,
                        "url": url,
                        "kind": "html",
                        "depth": 0,
                        "first_seen_at": NOW,
                        "last_seen_at": NOW,
                    },
                )
                if n == PAGES_PER_SERVICE:
                    statement_page[service] = page_id  # found by the statement check only
                else:
                    pages.setdefault(service, []).append(page_id)
        writer.flush(("service", "page"))

        # What each page shows now, and what its last judged visit stored.
        shows: dict[int, list[dict[str, Any]]] = {}
        titles: dict[int, str] = {}
        last: dict[int, tuple[int, list[dict[str, Any]], dict[str, Any]]] = {}
        brand: dict[int, tuple[int, dict[str, Any]]] = {}
        serial = 0
        issue_ids: dict[tuple[str, str], int] = {}

        def issue_of(service: str, row: dict[str, Any], run_id: int) -> int:
            key = (service, row["fingerprint"])
            if key not in issue_ids:
                issue_ids[key] = writer.add(
                    "issue",
                    {
                        "service_id": service,
                        "fingerprint": row["fingerprint"],
                        **{k: row[k] for k in ("check", "rule", "outcome", "wcag", "impact")},
                        **{k: row[k] for k in ("message", "help_url", "selector", "snippet")},
                        "status": "open",
                        "pages_affected": 1,
                        "on_journey": False,
                        "first_seen_at": NOW,
                        "first_seen_run_id": run_id,
                        "last_seen_at": NOW,
                        "last_seen_run_id": run_id,
                        "reopened_count": 0,
                    },
                )
            return issue_ids[key]

        for night in range(nights):
            started = NOW - timedelta(days=nights - night)
            interrupted = night > 0 and rng.random() < 0.06
            run_id = writer.add(
                "run",
                {
                    "kind": "audit",
                    "trigger": "schedule",
                    "status": "interrupted" if interrupted else "completed",
                    "service_ids": list(SERVICES),
                    "engine": "playwright",
                    "options": {},
                    "check_versions": {},
                    "full_audit": night % 7 == 0,
                    "created_at": started,
                    "started_at": started,
                    "finished_at": started + timedelta(minutes=30),
                    "pages_found": 0,
                    "pages_audited": 0,
                    "pages_carried": 0,
                    "pages_revalidated": 0,
                    "pages_failed": 0,
                    "findings_count": 0,
                    "cancel_requested": False,
                },
            )
            tie = not interrupted  # update_issues ran only for finished runs
            for service in SERVICES:
                for page_id in pages[service]:
                    result: dict[str, Any] = {
                        "run_id": run_id,
                        "page_id": page_id,
                        "service_id": service,
                        "status": "pending",
                        "revalidated": False,
                        "serious_count": 0,
                        "started_at": started,
                        "finished_at": started,
                    }
                    if interrupted and rng.random() < 0.4:
                        writer.add("pageresult", result)  # never visited
                        continue
                    if page_id not in shows:
                        shows[page_id] = []
                        titles[page_id] = f"Page {page_id}"
                    roll = rng.random()
                    if roll < 0.04:
                        result.update(status="failed", error="Timed out", error_kind="timeout")
                        writer.add("pageresult", result)
                        continue
                    previous = last.get(page_id)
                    audit = previous is None or night % 7 == 0 or roll < 0.3
                    facts = {"statement_links": [f"/a{page_id}"], "documents": []}
                    detail = {
                        "http_status": 200,
                        "final_url": f"https://{service}.example.test/p{page_id}",
                        "content_type": "text/html",
                        "size_bytes": 1000 + page_id,
                        "title": titles[page_id],
                        "fingerprint": f"fp-{page_id}-{serial}",
                        "facts": facts,
                    }
                    stored: list[dict[str, Any]]
                    if audit:
                        if rng.random() < 0.5:  # the page changed
                            serial += 1
                            detail["fingerprint"] = f"fp-{page_id}-{serial}"
                            shows[page_id] = [f for f in shows[page_id] if rng.random() < 0.8] + [
                                _finding(rng, service, rng.choice(RULES), rng.randint(1, 12))
                                for _ in range(rng.choice((0, 1, 1, 2)))
                            ]
                            if rng.random() < 0.1:  # the same element twice
                                shows[page_id] = shows[page_id] + shows[page_id][:1]
                            if rng.random() < 0.1:
                                titles[page_id] = f"Page {page_id} (new {serial})"
                                detail["title"] = titles[page_id]
                        stored = list(shows[page_id])
                        if rng.random() < 0.06:  # axe could not judge the page
                            result["check_errors"] = [
                                {"check": "axe", "kind": "timeout", "message": "slow"}
                            ]
                            stored = [f for f in stored if f["check"] != "axe"]
                        result.update(status="audited", **detail)
                        carried_flags = [False] * len(stored)
                    else:
                        assert previous is not None
                        _, prev_stored, prev_detail = previous
                        copies = [f for f in prev_stored if f["check"] != "links"]
                        fresh = [f for f in shows[page_id] if f["check"] == "links"]
                        if rng.random() < 0.3:  # the link check found the link mended
                            fresh = []
                        stored = copies + fresh
                        carried_flags = [True] * len(copies) + [False] * len(fresh)
                        result.update(status="carried", **prev_detail)
                        result["revalidated"] = rng.random() < 0.7
                        if rng.random() < 0.03:  # redirected elsewhere, same content
                            result["final_url"] = prev_detail["final_url"] + "?moved"
                    result["serious_count"] = sum(
                        1
                        for f in stored
                        if f["outcome"] == "violation" and f["impact"] in ("serious", "critical")
                    )
                    writer.add("pageresult", result)
                    for row, carried in zip(stored, carried_flags, strict=True):
                        writer.add(
                            "finding",
                            {
                                **row,
                                "run_id": run_id,
                                "page_id": page_id,
                                "service_id": service,
                                "carried": carried,
                                "issue_id": issue_of(service, row, run_id) if tie else None,
                            },
                        )
                    last[page_id] = (
                        run_id,
                        stored,
                        {k: result[k] for k in detail},
                    )
                    # Brand: judged on an audited page, carried (copied whole) otherwise.
                    if audit or page_id not in brand:
                        ok = rng.random() < 0.7
                        details = {
                            "url": result["final_url"],
                            "rules": {"logo": {"passed": ok, "detail": "looked at the logo"}},
                        }
                        rules = {"logo": ok, "palette": True}
                        shot = None if ok else f"evidence/brand/{run_id}-{page_id}.png"
                    else:
                        prev_brand_run, prev_brand = brand[page_id]
                        rules = prev_brand["rules"]
                        details = {**prev_brand["details"], "carried_from_run": prev_brand_run}
                        shot = prev_brand["header_screenshot"]
                        ok = prev_brand["passed"]
                    values = {
                        "run_id": run_id,
                        "page_id": page_id,
                        "service_id": service,
                        "score": 100.0 if ok else 70.0,
                        "passed": ok,
                        "rules": rules,
                        "details": details,
                        "header_screenshot": shot,
                    }
                    writer.add("brandresult", values)
                    brand[page_id] = (run_id, values)
                # The service phase: the statement check, on the statement page (no run
                # visits it) and now and then on the home page.
                if not interrupted:
                    for page_id, chance in (
                        (statement_page[service], 0.5),
                        (pages[service][0], 0.2),
                    ):
                        if rng.random() < chance:
                            row = _finding(
                                rng, service, ("statement", "statement-missing", "serious", ""), 0
                            )
                            writer.add(
                                "finding",
                                {
                                    **row,
                                    "run_id": run_id,
                                    "page_id": page_id,
                                    "service_id": service,
                                    "carried": False,
                                    "issue_id": issue_of(service, row, run_id),
                                },
                            )  # fmt: skip
            if night % 5 == 4:  # a journey replay: its findings belong to its own run
                journey = writer.add(
                    "run",
                    {
                        "kind": "journeys",
                        "trigger": "schedule",
                        "status": "completed",
                        "service_ids": ["alpha"],
                        "engine": "playwright",
                        "options": {},
                        "check_versions": {},
                        "full_audit": False,
                        "created_at": started,
                        "started_at": started,
                        "finished_at": started,
                        "pages_found": 0,
                        "pages_audited": 0,
                        "pages_carried": 0,
                        "pages_revalidated": 0,
                        "pages_failed": 0,
                        "findings_count": 0,
                        "cancel_requested": False,
                    },
                )
                row = {
                    **_finding(rng, "alpha", RULES[1], 3),
                    "journey_id": "report",
                    "journey_step": 2,
                }
                writer.add(
                    "finding",
                    {
                        **row,
                        "run_id": journey,
                        "page_id": pages["alpha"][1],
                        "service_id": "alpha",
                        "carried": False,
                        "issue_id": issue_of("alpha", row, journey),
                    },
                )  # fmt: skip
            writer.flush(("run", "issue", "pageresult", "finding", "brandresult"))
        for (service, _), issue_id in issue_ids.items():
            for page_id in pages[service][:2]:
                writer.add(
                    "issuepage",
                    {"issue_id": issue_id, "page_id": page_id, "first_seen_at": NOW},
                )
        writer.flush(("issuepage",))
        if connection.dialect.name == "postgresql":  # as if the rows had taken their ids
            for table in ("run", "page", "issue", "pageresult", "finding", "brandresult"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
        # The counts the old ``finish_run`` stored with each run.
        connection.execute(
            sa.text(
                "UPDATE run SET "
                "pages_found = (SELECT count(*) FROM pageresult r WHERE r.run_id = run.id), "
                "pages_audited = (SELECT count(*) FROM pageresult r WHERE r.run_id = run.id "
                "AND r.status = 'audited'), "
                "pages_carried = (SELECT count(*) FROM pageresult r WHERE r.run_id = run.id "
                "AND r.status = 'carried'), "
                "pages_failed = (SELECT count(*) FROM pageresult r WHERE r.run_id = run.id "
                "AND r.status = 'failed'), "
                "pages_revalidated = (SELECT count(*) FROM pageresult r WHERE r.run_id = run.id "
                "AND r.revalidated), "
                "findings_count = (SELECT count(*) FROM finding f WHERE f.run_id = run.id)"
            )
        )


def _table(name: str, *columns: str) -> Any:
    json = {"facts", "check_errors", "rules", "details"}
    return sa.table(name, *(sa.column(c, sa.JSON if c in json else None) for c in columns))


RESULT_DETAIL = (
    "status",
    "http_status",
    "final_url",
    "content_type",
    "size_bytes",
    "title",
    "fingerprint",
    "facts",
    "check_errors",
    "serious_count",
    "revalidated",
    "error",
    "error_kind",
)
BRAND_DETAIL = ("score", "passed", "rules", "details", "header_screenshot")


def old_answers(database_url: str) -> dict[str, Any]:
    """What the pre-0008 store answers, in plain SQL over its schema."""
    with engine_for(database_url).connect() as connection:

        def rows(query: Any) -> list[Any]:
            if isinstance(query, str):
                query = sa.text(query)
            return list(connection.execute(query).all())

        judged = "status IN ('audited', 'carried')"
        findings: dict[int, Counter[tuple[Any, ...]]] = defaultdict(Counter)
        f = _table("finding", "run_id", "page_id", "service_id", *CONTENT)
        for row in rows(sa.select(f)):
            findings[row[0]][tuple(row[1:])] += 1
        counts = {
            (s, r): {
                "judged": int(j),
                "clean": int(c),
                "carried": int(k),
                "checked": 0,
                "passed": 0,
            }
            for r, s, j, c, k in rows(
                "SELECT p.run_id, p.service_id, "
                f"SUM(CASE WHEN p.{judged} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN p.{judged} AND p.serious_count = 0 THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN p.status = 'carried' THEN 1 ELSE 0 END) "
                "FROM pageresult p JOIN run ON run.id = p.run_id "
                "WHERE run.status = 'completed' GROUP BY p.run_id, p.service_id"
            )
        }
        for r, s, n, p in rows(
            "SELECT b.run_id, b.service_id, COUNT(*), "
            "SUM(CASE WHEN passed THEN 1 ELSE 0 END) FROM brandresult b "
            "JOIN run ON run.id = b.run_id WHERE run.status = 'completed' "
            "GROUP BY b.run_id, b.service_id"
        ):
            counts[(s, r)].update(checked=int(n), passed=int(p))
        pr = _table("pageresult", "run_id", "page_id", *RESULT_DETAIL)
        results = {(r[0], r[1]): tuple(r[2:]) for r in rows(sa.select(pr))}
        br = _table("brandresult", "run_id", "page_id", *BRAND_DETAIL)
        brands = {(r[0], r[1]): tuple(r[2:]) for r in rows(sa.select(br))}
        latest_element = {
            (issue, page): tuple(rest)
            for issue, page, *rest in rows(
                "SELECT f.issue_id, f.page_id, f.selector, f.snippet FROM finding f "
                "JOIN (SELECT issue_id, page_id, MAX(id) AS id FROM finding "
                "WHERE issue_id IS NOT NULL GROUP BY issue_id, page_id) m ON m.id = f.id"
            )
        }
        run_counts = {
            r[0]: tuple(r[1:])
            for r in rows(
                "SELECT id, pages_found, pages_audited, pages_carried, pages_failed, "
                "pages_revalidated, findings_count FROM run"
            )
        }
        recorded: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
        source = sa.text(
            "SELECT r.run_id, r.service_id, p.url, r.title, r.facts FROM pageresult r "
            f"JOIN page p ON p.id = r.page_id WHERE r.{judged}"
        ).columns(
            sa.column("run_id"),
            sa.column("service_id"),
            sa.column("url"),
            sa.column("title"),
            sa.column("facts", sa.JSON),
        )
        for run_id, service, url, title, facts in rows(source):
            recorded[(run_id, service)].append((url, title, json_of(facts)))
        finding_rows = rows("SELECT COUNT(*) FROM finding")[0][0]
    return {
        "findings": dict(findings),
        "page_counts": counts,
        "page_results": results,
        "brand_results": brands,
        "latest_element": latest_element,
        "run_counts": run_counts,
        "recorded_pages": {key: sorted(value) for key, value in recorded.items()},
        "finding_rows": finding_rows,
    }


def json_of(value: Any) -> Any:
    return dict(value) if value else None
