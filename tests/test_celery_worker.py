"""A real Celery worker, over Redis, runs a task against the real database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from mathshub.celery import app
from tests.factories import SchoolFactory, TeacherFactory, WorkGroupFactory
from workgroups import services
from workgroups.models import Place, PlaceStatus
from workgroups.tasks import promote_waitlist

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(require_postgres, require_redis):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": require_redis,
        "DJANGO_SETTINGS_MODULE": "mathshub.settings",
    }
    process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mathshub",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, require_redis
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_worker_promotes_the_waiting_list_in_the_database(worker):
    queue, broker_url = worker
    group = WorkGroupFactory(capacity=0)
    waiting = services.register(user=TeacherFactory(school=SchoolFactory()), work_group=group).place
    group.capacity = 1
    group.save(update_fields=["capacity"])

    app.conf.task_always_eager = False
    with app.connection_for_write(broker_url) as broker:
        promote_waitlist.apply_async(args=[group.pk], queue=queue, connection=broker)

    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if Place.objects.get(pk=waiting.pk).status == PlaceStatus.CONFIRMED:
            break
        time.sleep(0.3)
    assert Place.objects.get(pk=waiting.pk).status == PlaceStatus.CONFIRMED
