"""The deployment settings: DEBUG off unless asked for, refuse the development key (or none),
and pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        # What pytest-env (pyproject.toml) sets for the suite is not the deployment's.
        if k not in {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_site_refuses_to_start_with_debug_off_and_the_development_secret_key():
    result = manage("check", DEBUG="false")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_site_refuses_to_start_with_debug_off_and_an_empty_secret_key():
    result = manage("check", DEBUG="false", SECRET_KEY="  ")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_debug_is_off_unless_the_environment_turns_it_on():
    show_debug = ("shell", "-c", "from django.conf import settings; print(settings.DEBUG)")

    unset = manage(*show_debug, SECRET_KEY=secrets.token_urlsafe(50))
    development = manage(*show_debug, DEBUG="true")

    assert unset.stdout.splitlines()[-1:] == ["False"], unset.stderr
    assert development.stdout.splitlines()[-1:] == ["True"], development.stderr


def test_make_run_turns_debug_on_for_the_development_server(tmp_path):
    """Every command `make run` would run (migrate, seed, runserver) gets DEBUG=true; a
    stand-in shell prints each one's DEBUG instead of running it."""
    shell = tmp_path / "shell"
    shell.write_text('#!/bin/sh\necho "DEBUG=$DEBUG"\n')
    shell.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    command = ["make", "-s", "--no-print-directory", "-B", "run", f"SHELL={shell}", "PYTHON=x"]

    result = subprocess.run(  # noqa: S603 - make with a shell that runs nothing
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    printed = {line for line in result.stdout.splitlines() if line.startswith("DEBUG=")}
    assert printed == {"DEBUG=true"}, result.stdout + result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cpd.example.org",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/workgroups/workgroup/")

    assert response.status_code == 302
    assert response["Location"] == ("/accounts/login/?next=%2Fadmin%2Fworkgroups%2Fworkgroup%2F")
