"""The deployment settings: refuse the development key, and pass Django's deploy checks."""

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
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
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
