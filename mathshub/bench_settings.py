"""Settings for the benchmark (``make bench``, ``scripts/bench.py``): production settings served
over plain HTTP on this machine, plus the bare page every page is compared with.

Everything else is exactly ``mathshub.settings`` with ``DEBUG`` off: the same middleware,
database (``DATABASE_URL``), cache (``REDIS_URL`` when set), static files through WhiteNoise
from ``collectstatic``'s manifest. Only for benchmarking, never for serving anyone.
"""

import os

# The production settings refuse the development key with DEBUG off; the benchmark's own key
# signs only the benchmark's sessions (an exported SECRET_KEY wins).
os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-by-any-deployment-2f7c91d4a0b3")

from mathshub.settings import *  # noqa: F403
from mathshub.settings import ALLOWED_HOSTS, MIDDLEWARE, STORAGES

# As in production, whatever DEBUG the environment (or .env) says.
DEBUG = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

# Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies that travel without TLS.
ALLOWED_HOSTS = list(dict.fromkeys([*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]))
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# The real URLs plus /bench/bare/; every response says how many queries it ran
# (X-Bench-Queries), counted around the whole middleware stack.
ROOT_URLCONF = "mathshub.bench_urls"
MIDDLEWARE = ["mathshub.bench_urls.QueryCountHeaderMiddleware", *MIDDLEWARE]

# The registration benchmark sends its emails through the outbox as the site does; nobody
# should receive them.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend", "OPTIONS": {}}}
