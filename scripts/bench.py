"""The benchmark: each main page's throughput against a bare page, and registrations under
contention, on the national demo data served by gunicorn with DEBUG off.

    make bench                      # or: .venv/bin/python scripts/bench.py [--help]

1. Prepares PostgreSQL (``DATABASE_URL``, by default the ``mathshub_bench`` database on
   127.0.0.1, created if missing): migrates, and seeds the national demo data unless it is
   there already; collects the static files.
2. Serves the site with gunicorn (2 sync workers) under ``mathshub.bench_settings``: the
   production settings over plain HTTP, plus ``/bench/bare/``, a page that runs one query.
3. Signs each demo role in through the real forms (staff with their authenticator code), then
   for each round and each page measures the bare page and then the page, each for
   ``--duration`` seconds with ``--clients`` client processes; prints medians of the rounds.
4. Stops the server and runs ``bench_registrations``: teachers registering at once into one
   group, from ``--processes`` processes, through the registration service.

The ratio is a page's throughput divided by the bare page's, measured just before it: both share
the machine's noise, so the ratio is steadier than either number.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import Browser, LoadGenerator, Measurement  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mathshub_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
SETTINGS = "mathshub.bench_settings"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--all", action="store_true", help="also the other main pages")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--no-pages", action="store_true", help="skip the pages")
    parser.add_argument("--no-registrations", action="store_true", help="skip registrations")
    parser.add_argument("--registrants", type=int, default=400)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--processes", type=int, default=8, help="processes registering")
    parser.add_argument("--no-setup", action="store_true", help="skip migrate/seed/collectstatic")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--label", default="", help="what is measured (default: the commit)")
    return parser.parse_args()


# -- the environment and the database ---------------------------------------------------------


def configure_environment() -> None:
    """Everything the benchmark starts (this process, gunicorn, the registering processes)
    shares these. An exported DATABASE_URL or REDIS_URL wins over the defaults."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    # Requests are logged as in production, to a file (see the end of the run).
    if not redis_answers(os.environ["REDIS_URL"]):
        log(f"Redis does not answer at {os.environ['REDIS_URL']}: each process caches alone.")
        os.environ["REDIS_URL"] = ""


def redis_answers(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def ensure_database() -> None:
    """Create the database if the server does not have it yet."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = config["NAME"]
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"Creating the database {name}.")
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_data() -> None:
    """Migrate; seed the national demo data if the database has none; refuse smaller data."""
    from django.core.management import call_command

    from demo.context import SCALES
    from demo.seed import demo_data_exists
    from participants.models import School

    log("Migrating.")
    call_command("migrate", interactive=False, verbosity=0)
    if not demo_data_exists():
        log("Seeding the national demo data (a few minutes, once).")
        call_command("seed_demo", scale="national")
    schools = School.objects.count()
    if schools < SCALES["national"].schools * 0.9:
        sys.exit(
            f"This database has {schools:,} schools, not the national demo data: seed it with "
            "`manage.py seed_demo --scale national --reset`, or use an empty database."
        )
    # The planner chooses its joins from the tables' statistics; freshly seeded tables have
    # none until autovacuum gets to them, and the pages would be measured with the wrong plans.
    from django.db import connection

    log("Refreshing the planner's statistics (ANALYZE).")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if static_files_current():
        log("Static files are collected already.")
    else:
        log("Collecting static files (compressing them takes a while).")
        call_command("collectstatic", interactive=False, verbosity=0)


def static_files_current() -> bool:
    """Whether collectstatic's manifest is newer than every static file it would collect."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            if os.path.getmtime(storage.path(path)) > built:
                return False
    return True


def describe_data() -> str:
    from django.db import connection

    from participants.models import School, User
    from workgroups.models import Place, Registration, WorkGroup

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    counts = {
        "schools": School.objects.count(),
        "users": User.objects.count(),
        "groups": WorkGroup.objects.count(),
        "places": Place.objects.count(),
        "registrations": Registration.objects.count(),
    }
    data = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    return f"PostgreSQL {version}; {data}"


def revision() -> str:
    """The commit, and whether the working tree differs from it (read only: no index lock)."""

    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603
            ["git", "--no-optional-locks", *arguments],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown"
    return f"{head}{' with uncommitted changes' if dirty else ''}" if head else "unknown"


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int, log_path: Path):
    """``gunicorn mathshub.wsgi`` with ``workers`` sync workers on a free port, until the end."""
    port = free_port()
    with open(log_path, "w") as log_file:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "mathshub.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(server, port, log_path)
            yield port
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    from bench_targets import BARE_URL

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}); see {log_path}")
        with contextlib.suppress(OSError):
            status, _, _ = Browser("127.0.0.1", port).get(BARE_URL)
            if status == 200:
                return
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within 60 s; see {log_path}")


def sign_in_everyone(port: int, roles: set[str]) -> dict[str, str]:
    """Each role signs in once through the site's forms; their session cookie is reused."""
    from bench_targets import ROLES

    from demo.logins import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from participants.mfa import totp_code

    cookies = {}
    for role in sorted(roles):
        log(f"Signing in as {ROLES[role]}.")
        cookies[role] = Browser("127.0.0.1", port).sign_in(
            ROLES[role], DEMO_PASSWORD, lambda: totp_code(DEMO_TOTP_SECRET)
        )
    return cookies


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    page: object  # bench_targets.Page
    runs: list[tuple[Measurement, Measurement]] = field(default_factory=list)  # (bare, page)

    def median(self, pick) -> float:
        return statistics.median(pick(bare, page) for bare, page in self.runs)

    @property
    def rps(self) -> float:
        return self.median(lambda bare, page: page.rps)

    @property
    def p99(self) -> float:
        return self.median(lambda bare, page: page.p99_ms)

    @property
    def bare_rps(self) -> float:
        return self.median(lambda bare, page: bare.rps)

    @property
    def ratio(self) -> float:
        return self.median(lambda bare, page: page.rps / bare.rps if bare.rps else 0.0)

    @property
    def ok(self) -> bool:
        return all(bare.ok and page.ok for bare, page in self.runs)

    @property
    def queries(self) -> str:
        counts = sorted({int(q) for _, page in self.runs for q in page.queries if q.isdigit()})
        if not counts:
            return "?"
        return str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"

    @property
    def met(self) -> str:
        if not self.ok:
            return "error"
        if self.page.target is None:
            return ""
        return "yes" if self.ratio >= self.page.target else "**no**"


def check_pages(port: int, pages, cookies) -> list:
    """Each page answers its role with 200 before it is measured; the others are left out."""
    from bench_load import QUERY_COUNT_HEADER
    from bench_targets import BARE_URL

    browser = Browser("127.0.0.1", port)
    status, headers, _ = browser.get(BARE_URL)
    if status != 200 or headers.get(QUERY_COUNT_HEADER) != "1":
        sys.exit(f"The bare page answered {status} with {headers.get(QUERY_COUNT_HEADER)} queries")
    good = []
    for page in pages:
        browser.cookies = dict(pair.split("=", 1) for pair in cookies[page.who].split("; "))
        status, headers, _ = browser.get(page.url)
        if status == 200:
            good.append(page)
        else:
            location = headers.get("Location", "")
            log(f"Leaving out {page.name} ({page.url}) as {page.who}: {status} {location}")
    return good


def measure_pages(port: int, pages, cookies, args) -> list[Result]:
    from bench_targets import BARE_URL

    results = [Result(page) for page in pages]
    per_round = len(pages) * 2 * (args.duration + 0.5)
    log(
        f"Measuring {len(pages)} pages, {args.rounds} rounds, about "
        f"{per_round * args.rounds / 60:.0f} min."
    )
    with LoadGenerator("127.0.0.1", port, clients=args.clients) as load:
        for round_number in range(1, args.rounds + 1):
            for result in results:
                page = result.page
                bare = load.measure(BARE_URL, "", args.duration, warmup=1)
                measured = load.measure(page.url, cookies[page.who], args.duration, warmup=1)
                result.runs.append((bare, measured))
                log(
                    f"  round {round_number} {page.name:24} {page.who:12} "
                    f"{measured.rps:7.1f} req/s p99 {measured.p99_ms:6.0f} ms | bare "
                    f"{bare.rps:6.1f} req/s | ratio {measured.rps / max(bare.rps, 1e-9):5.2f}"
                    + ("" if bare.ok and measured.ok else f"  ERRORS {measured.statuses}")
                )
    return results


def table(results: list[Result]) -> str:
    lines = [
        "| page | who | queries | req/s | p99 ms | bare req/s | ratio | target | met? |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in results:
        target = f"≥ {r.page.target:g}" if r.page.target is not None else "—"
        lines.append(
            f"| {r.page.name} | {r.page.who} | {r.queries} | {r.rps:.1f} | {r.p99:.0f} | "
            f"{r.bare_rps:.1f} | {r.ratio:.2f} | {target} | {r.met} |"
        )
    bare = [b for r in results for b, _ in r.runs]
    if not bare:
        return "\n".join(lines)
    lines.append(
        f"| bare page (`/bench/bare/`, anonymous) | — | 1 | "
        f"{statistics.median(b.rps for b in bare):.1f} | "
        f"{statistics.median(b.p99_ms for b in bare):.0f} | | | | |"
    )
    return "\n".join(lines)


def main() -> int:
    args = options()
    configure_environment()
    if not args.no_setup:
        ensure_database()
    import django

    django.setup()
    if not args.no_setup:
        prepare_data()
    from bench_targets import pages as page_list

    pages = [p for p in page_list(everything=args.all) if args.only in p.name]
    print(
        f"Benchmark of {args.label or revision()} on a {os.cpu_count()}-core "
        f"{platform.system()} machine; {describe_data()}.\n"
        f"gunicorn {args.workers} sync workers, DEBUG off, cache: "
        f"{'Redis' if os.environ['REDIS_URL'] else 'per-process memory'}; "
        f"{args.clients} clients, {args.duration:g} s per measurement, bare page then page, "
        f"median of {args.rounds} rounds.\n",
        flush=True,
    )
    from django.db import connections

    connections.close_all()
    failed = False
    results: list[Result] = []
    if not args.no_pages and pages:
        log_path = Path(tempfile.gettempdir()) / "mathshub-bench-gunicorn.log"
        with gunicorn(args.workers, log_path) as port:
            cookies = sign_in_everyone(port, {page.who for page in pages})
            answering = check_pages(port, pages, cookies)
            failed |= len(answering) < len(pages)
            results = measure_pages(port, answering, cookies, args)
        print(table(results), flush=True)
        log(f"The server's log (one line per request): {log_path}")
        failed |= not all(r.ok for r in results)
    if not args.no_registrations:
        from bench_registrations import run

        log(f"Registering {args.registrants} teachers from {args.processes} processes.")
        outcome = run(args.registrants, args.processes, args.capacity)
        print("\nRegistrations under contention (target ≥ 100 per second, exactly `capacity`")
        print("confirmed):\n")
        print(outcome.summary())
        met = outcome.correct and outcome.per_second >= 100
        print(f"met? {'yes' if met else 'no'}")
        failed |= not outcome.correct
        if args.check and not met:
            failed = True
    if args.check and any(r.met == "**no**" for r in results):
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
