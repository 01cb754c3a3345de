"""The benchmark's HTTP side, standard library only: signing in, and a load generator.

``LoadGenerator`` keeps ``clients`` processes, each requesting one path in a closed loop (the
next request as soon as the last one answered) for a fixed time (and at least a few times, so a
slow page still has some samples); together they report requests
per second, the 99th percentile of the time each request took, the statuses and the query counts
the server reported (``X-Bench-Queries``, only under ``mathshub.bench_settings``).
"""

from __future__ import annotations

import http.client
import math
import multiprocessing
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

QUERY_COUNT_HEADER = "X-Bench-Queries"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 60  # seconds; gunicorn's own worker timeout is 30


class SignInError(RuntimeError):
    pass


class Browser:
    """A tiny cookie-keeping HTTP client: enough to sign in through the site's own forms."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def form_token(self, path: str) -> str:
        status, _, text = self.get(path)
        match = CSRF_FIELD.search(text)
        if status != 200 or not match:
            raise SignInError(f"GET {path} answered {status} without a form")
        return match.group(1)

    def sign_in(self, email: str, password: str, code: Callable[[], str], period: int = 30):
        """Sign in with the login form; staff then give the authenticator code ``code()``.

        allauth takes a code once per account (and remembers it in the cache for its whole
        window), so a refused code is retried with the next one."""
        login = "/accounts/login/"
        token = self.form_token(login)
        status, headers, _ = self.post(
            login, {"login": email, "password": password, "csrfmiddlewaretoken": token}
        )
        location = headers.get("Location", "")
        if status != 302:
            raise SignInError(f"signing in as {email} answered {status}, not a redirect")
        second_step = "/accounts/2fa/authenticate/"
        attempts = 0
        while second_step in location:
            if attempts == 3:
                raise SignInError(f"{email}'s authenticator code was refused")
            if attempts:  # that code was used already: wait for the next one
                time.sleep(period - time.time() % period + 0.5)
            attempts += 1
            token = self.form_token(second_step)
            status, headers, _ = self.post(
                second_step, {"code": code(), "csrfmiddlewaretoken": token}
            )
            location = headers.get("Location", "") if status == 302 else second_step
        if "sessionid" not in self.cookies:
            raise SignInError(f"signing in as {email} gave no session")
        return self.cookie_header()


@dataclass
class Measurement:
    requests: int
    seconds: float  # each client's time, averaged
    rps: float
    p99_ms: float
    statuses: Counter = field(default_factory=Counter)
    queries: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.requests > 0 and set(self.statuses) == {200} and not self.errors


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at least ``share`` of them do not exceed."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _client(pipe, host: str, port: int) -> None:
    """One client process: for each job, warm up, say ready, then request until the time is up."""
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)

    def fetch(path, headers, timings, statuses, queries, errors):
        nonlocal connection
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
            errors[type(error).__name__] += 1
            return
        timings.append(time.perf_counter() - started)
        statuses[response.status] += 1
        queries[response.getheader(QUERY_COUNT_HEADER, "?")] += 1

    while True:
        job = pipe.recv()
        if job is None:
            return
        path, cookie, warmup, seconds, minimum = job
        headers = {"Cookie": cookie} if cookie else {}
        for _ in range(warmup):
            fetch(path, headers, [], Counter(), Counter(), Counter())
        pipe.send("ready")
        pipe.recv()  # go
        timings, statuses, queries, errors = [], Counter(), Counter(), Counter()
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline or len(timings) + errors.total() < minimum:
            fetch(path, headers, timings, statuses, queries, errors)
        pipe.send((timings, time.perf_counter() - started, statuses, queries, errors))


class LoadGenerator:
    """``clients`` processes requesting one path at a time, all together."""

    def __init__(self, host: str, port: int, clients: int = 4):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for _ in range(clients):
            ours, theirs = context.Pipe()
            process = context.Process(target=_client, args=(theirs, host, port), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def measure(
        self, path: str, cookie: str = "", seconds: float = 2.0, warmup: int = 1, minimum: int = 2
    ) -> Measurement:
        """Request ``path`` from every client at once for ``seconds`` (and at least ``minimum``
        times each), after ``warmup`` requests each that are not counted."""
        for pipe in self.pipes:
            pipe.send((path, cookie, warmup, seconds, minimum))
        for pipe in self.pipes:
            pipe.recv()
        for pipe in self.pipes:
            pipe.send("go")
        timings, rps, spent = [], 0.0, []
        statuses, queries, errors = Counter(), Counter(), Counter()
        for pipe in self.pipes:
            times, elapsed, status, query, error = pipe.recv()
            timings += times
            rps += len(times) / elapsed
            spent.append(elapsed)
            statuses += status
            queries += query
            errors += error
        return Measurement(
            requests=len(timings),
            seconds=sum(spent) / len(spent),
            rps=rps,
            p99_ms=percentile(timings, 0.99) * 1000,
            statuses=statuses,
            queries=queries,
            errors=errors,
        )

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
