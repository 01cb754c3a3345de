"""Collate every report of a year and print time, peak memory and queries per report.

Run on PostgreSQL with the national demo data (``manage.py seed_demo --scale national``):

    DATABASE_URL=postgres://... python scripts/benchmark_reports.py [--year 2025/26] [--limit N]

Without ``--year`` it takes the year with the most groups. Each report is requested and built
through the same services the Celery tasks call, in this one process, one after another.
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mathshub.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from evaluations.reports import services  # noqa: E402
from projects.models import AcademicYear  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", help="Academic year label, e.g. 2025/26.")
    parser.add_argument("--limit", type=int, help="Build only the first N reports.")
    args = parser.parse_args()
    year = (
        AcademicYear.objects.get(label=args.year)
        if args.year
        else AcademicYear.objects.annotate(n=Count("work_groups")).order_by("-n").first()
    )
    reports = services.request_year(academic_year=year)[: args.limit]
    print(f"{year}: {len(reports)} reports on {connection.vendor}")
    print(f"{'report':<58} {'groups':>6} {'secs':>6} {'db secs':>7} {'peak MB':>7} {'queries':>7}")
    started = time.perf_counter()
    rows = [_build(report) for report in reports]
    total = time.perf_counter() - started
    started = time.perf_counter()
    for report in services.request_year(academic_year=year)[: args.limit]:
        services.build_report(report_id=report.pk)
    plain = time.perf_counter() - started
    national = [row for row in rows if row["national"]]
    print(
        f"\nAll {len(rows)} reports: {total:.1f} s measured (tracemalloc slows Python), "
        f"{plain:.1f} s again unmeasured, one process"
    )
    print(
        f"Slowest report: {max(row['secs'] for row in rows):.3f} s; "
        f"queries per report: {sorted({row['queries'] for row in rows})}"
    )
    if national:
        print(
            f"National reports: mean {sum(r['secs'] for r in national) / len(national):.3f} s, "
            f"max DB time {max(r['db'] for r in national):.3f} s"
        )


def _build(report) -> dict:
    connection.queries_log.clear()  # the log keeps 9,000 queries; count each report alone
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        built = services.build_report(report_id=report.pk)
    secs = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1_000_000
    tracemalloc.stop()
    db = sum(float(query["time"]) for query in queries.captured_queries)
    groups = next(row["value"] for row in built.figures["headline"] if row["key"] == "groups")
    scope = built.hub.name if built.hub_id else "national"
    name = f"{built.project.code} {scope}"[:58]
    print(f"{name:<58} {groups:>6} {secs:>6.3f} {db:>7.3f} {peak:>7.1f} {len(queries):>7}")
    return {"national": not built.hub_id, "secs": secs, "db": db, "queries": len(queries)}


if __name__ == "__main__":
    main()
