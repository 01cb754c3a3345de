"""Celery brokers for tests: a Redis server of the test's own (to stop and start), pointing the
Celery app at a broker with eager mode off, and starting workers against the test database."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.db import connection

from mathshub.celery import app
from tests.support import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, seconds: float = 60) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; a bound, never a measurement."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


class RedisServer:
    """``redis-server`` on a spare port, in memory only, started and stopped by the test."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            skip_or_fail("needs the redis-server program (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - redis-server with fixed arguments
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self.answers, seconds=30), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None
        assert not self.answers()


@contextlib.contextmanager
def broker(url: str):
    """Celery in this process sends tasks to ``url`` (eager off), as a deployed site does."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _forget_connections()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _forget_connections()


def _forget_connections() -> None:
    """Let go of the pooled broker connections, so the next task goes to the broker now
    configured. (Not closed: kombu keeps each pool by address and would hand back a closed one.)"""
    app._pool = None
    app.amqp._producer_pool = None


class Workers:
    """Celery workers in subprocesses, on the test database and the given broker."""

    def __init__(self, broker_url: str, **env):
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "mathshub.settings",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            **env,
        }
        self.processes = []

    def start(self, script: str | None = None, **env) -> subprocess.Popen:
        """A worker like ``celery -A mathshub worker``; ``script`` may prepare it first (it must
        end by calling ``app.worker_main(sys.argv[1:])``)."""
        command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "celery",
                                                                 "-A", "mathshub"]  # fmt: skip
        process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [*command, "worker", "--pool=solo", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=warning"],
            cwd=ROOT, env={**self.env, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
