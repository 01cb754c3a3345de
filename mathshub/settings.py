"""Settings for the Maths Hubs CPD site.

Everything comes from the environment. The embedded defaults need nothing installed: a SQLite
file, Celery tasks run eagerly in-process, email printed to the console. ``DATABASE_URL``
switches to PostgreSQL, ``CELERY_BROKER_URL`` to real workers, ``REDIS_URL`` to a shared cache.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

INSECURE_SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

# Off unless the environment turns it on (`make run` does, for the development server).
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
if not DEBUG and SECRET_KEY.strip() in {"", INSECURE_SECRET_KEY}:
    raise ImproperlyConfigured("Set SECRET_KEY: the built-in key is for local development only.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The site's address, for links in emails and calendar feeds.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The site's name, as emails greet and sign off with it.
SITE_NAME = env.str("SITE_NAME", default="Maths Hubs CPD")

INSTALLED_APPS = [
    "mathshub.apps.MathsHubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "auditlog",
    # From the bottom layer up; see the import contract in pyproject.toml.
    "core",
    "participants",
    "projects",
    "workgroups",
    "surveys",
    "evaluations",
    "catalogue",
    "lead",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    # First, so its line has every request's final status and whole duration.
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A null character in the address or query string is a 400, before it reaches a query.
    "core.null_characters.RefuseNullCharactersMiddleware",
    # The signed-in user (and remote address) is the actor of every change in the audit trail.
    "core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.sessions.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "participants.mfa.RequireStaffMFAMiddleware",
]

ROOT_URLCONF = "mathshub.urls"
WSGI_APPLICATION = "mathshub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "mathshub.context_processors.menu",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Queries are sent with their parameters apart and prepared once a connection has run them
    # twice: PostgreSQL then plans each kind of query once per connection instead of on every
    # request (planning a page's joins took longer than running them).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, keeping one client instead of building one per call.
            "BACKEND": "core.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mathshub",
        }
    }
    # Signed-in pages read the session from the shared cache instead of the database. Writes go
    # to both, so flushing or losing the cache signs nobody out ("cache" alone would).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "participants.User"
# Django's and allauth's backends, reading the signed-in person from the cache
# (participants.identity): every signed-in request needs them.
AUTHENTICATION_BACKENDS = [
    "participants.backends.ModelBackend",
    "participants.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; rate limits live in the (shared) cache.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Failed sign-ins are slowed per address, and per email address from one address (the key is
# the email and the client's address: participants.adapters), so a stranger's guesses never lock
# the owner out of their own account. A success gives back what its attempt counted.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,100/h/ip,5/5m/key"}
# "Keep me signed in on this device": ticked, the session lasts SESSION_COOKIE_AGE; unticked, it
# ends when the browser closes. Staff sessions also end after STAFF_SESSION_IDLE_SECONDS idle.
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "participants.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "participants.forms.SignInForm",
    "signup": "participants.forms.CreateAccountForm",
    "change_password": "participants.forms.NewPasswordForm",
    "reset_password_from_key": "participants.forms.ResetPasswordFromLinkForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Maths Hubs] "

# allauth.mfa: a second factor, required of hub staff and the national team before they reach
# the admin or the reports (participants.mfa); anyone else may add one from their account.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Maths Hubs CPD"
MFA_ADAPTER = "participants.mfa.MFAAdapter"
MFA_FORMS = {
    "authenticate": "participants.mfa.SignInCodeForm",
    "reauthenticate": "participants.mfa.ConfirmCodeForm",
    "activate_totp": "participants.mfa.ActivateAuthenticatorForm",
}
# fido2 refuses security keys on http://localhost unless told otherwise: development only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# The audit trail (django-auditlog, read through core.audit): every change of these models is
# recorded with who made it, when, each field before and after, and the reason given. The User's
# password, last sign-in and calendar-feed token are never recorded; `updated_at` stamps only
# repeat the entry's own time.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "participants.User",
        "exclude_fields": ["password", "last_login", "calendar_token"],
        "m2m_fields": ["phases", "groups", "user_permissions"],
    },
    "participants.School",
    "participants.Hub",
    {"model": "participants.LLME", "m2m_fields": ["phases"]},
    "participants.HubMembership",
    {
        "model": "projects.Project",
        "m2m_fields": [
            "phases",
            "outcome_areas",
            "prerequisites",
            "eligible_hubs",
            "eligible_regions",
            "eligible_local_authorities",
            "years",
        ],
    },
    "projects.Offer",
    {"model": "workgroups.WorkGroup", "m2m_fields": ["leads"]},
    "workgroups.Session",
    "workgroups.Place",
    "workgroups.Registration",
    "workgroups.Attendance",
    {"model": "workgroups.SessionRecord", "exclude_fields": ["updated_at"]},
    {"model": "workgroups.Milestone", "exclude_fields": ["updated_at"]},
    "workgroups.Nomination",
    "workgroups.Invitation",
    {"model": "evaluations.WorkGroupEvaluation", "exclude_fields": ["updated_at"]},
    "evaluations.OutcomeEvaluation",
)
# Fixtures loaded with loaddata are not changes anyone made.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SMTP_OPTIONS = {
    "host": env.str("EMAIL_HOST", default="localhost"),
    "port": env.int("EMAIL_PORT", default=25),
    "username": env.str("EMAIL_HOST_USER", default=""),
    "password": env.str("EMAIL_HOST_PASSWORD", default=""),
    "use_tls": env.bool("EMAIL_USE_TLS", default=False),
}
_EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Maths Hubs <no-reply@mathshubs.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run eagerly in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Redis hands an unacknowledged task (e.g. its worker died) to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_BEAT_SCHEDULE = {
    # Invitations to colleagues past their date are recorded as lapsed (pages never wait on it).
    "expire-invitations": {
        "task": "workgroups.tasks.expire_invitations",
        "schedule": crontab(hour=3, minute=15),
    },
    "rebuild-current-year-reports": {
        "task": "evaluations.tasks.collate_current_year",
        "schedule": crontab(hour=2, minute=30),
    },
    # Emails whose worker was never asked (broker down) or failed: see core/outbox.py.
    "deliver-outbox": {"task": "core.tasks.deliver_outbox", "schedule": 60.0},
    "purge-sent-emails": {"task": "core.tasks.purge_outbox", "schedule": crontab(hour=3, minute=0)},
    # Report builds silent for REPORT_STALE_AFTER seconds (a killed worker) are queued again.
    "requeue-stalled-reports": {
        "task": "evaluations.tasks.requeue_stalled_reports",
        "schedule": 60.0,
    },
    # "Survey open" emails and reminders due today: see surveys/notifications.py.
    "send-survey-emails": {
        "task": "surveys.tasks.send_survey_emails",
        "schedule": crontab(hour=7, minute=45),
    },
    # Reminders of sessions, tasks, records and approvals, in the day only: workgroups/reminders.py.
    "send-reminders": {
        "task": "workgroups.tasks.send_reminders",
        "schedule": crontab(hour="7-20", minute=5),
    },
}
REPORT_STALE_AFTER = env.int("REPORT_STALE_AFTER", default=180)

# Security: strict when DEBUG is off, so `manage.py check --deploy` is clean.
# Behind a reverse proxy the client's address (for rate limits and the audit trail) is the one
# the nearest trusted proxy saw: the number of proxies we run that append to X-Forwarded-For, or
# a header one of them sets (e.g. X-Real-IP). Neither is trusted by default.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
# Hub staff and the national team are signed out after two hours without a request.
STAFF_SESSION_IDLE_SECONDS = 2 * 60 * 60
CSRF_FAILURE_VIEW = "core.errorpages.csrf_failure"
# Scripts and styles come from our own static files, or carry the page's nonce (the admin's
# inline data and styles do); nothing inline without one, and nothing from other sites.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Bootstrap draws its icons (the menu button, select arrows) as data: SVGs.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Load balancers probe /healthz and /readyz over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "timed"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # One line per request (core.middleware): method, path, status, duration, user id.
    "loggers": {
        "core.requests": {
            "handlers": ["requests"],
            "level": env.str("REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}
