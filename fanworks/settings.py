"""Django settings for Fanworks.

Every knob is read from the environment; `.env.example` documents each one. Nothing here reads
files other than the generated secret key, so importing settings stays cheap.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# An empty value (as copied from .env.example) means the default, never the current directory.
VAR_DIR = Path(os.environ.get("FANWORKS_VAR_DIR", "").strip() or BASE_DIR / "var").resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise keep one generated on first run under var/."""
    configured = os.environ.get("SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Created with O_EXCL so two processes starting together cannot write different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]
SITE_NAME = os.environ.get("SITE_NAME", "Fanworks")
# The archive's address as readers reach it, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "fanworks.core",
    "fanworks.accounts",
    "fanworks.tags",
    "fanworks.works",
    "fanworks.search",
    "fanworks.engagement",
    "fanworks.downloads",
    "fanworks.importers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fanworks.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fanworks.core.middleware.CollapseLeadingSlashesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "fanworks.core.middleware.AuthenticityTokenMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "fanworks.urls"
WSGI_APPLICATION = "fanworks.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fanworks" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanworks.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another server.
SQLITE_PATH = VAR_DIR / "fanworks.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A runaway query must not hold a worker forever. JIT off: PostgreSQL 15 compiles
        # any query its planner costs above jit_above_cost, and the bookmark filters'
        # visibility subqueries cross that line even on tiny tables, paying ~1 s of
        # compilation for a query that runs in milliseconds (halved the bookmark engine tests).
        timeout_ms = env_int("DB_STATEMENT_TIMEOUT_MS", 15000)
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={timeout_ms} -c jit=off"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # Reopening the file and re-running the pragmas on every request cost ~3 ms.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so a read that turns into a write
                # never fails with "database is locked"; the busy timeout makes writers queue.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    # Reads come from the page cache without copying (measured: HTTP p95
                    # 11.0 → 9.6 ms for autocomplete). 2 GiB is SQLite's own ceiling; at 1M
                    # works a results page reads rows all over a 10 GB file, and the 256 MB
                    # map we had left most of them to read() calls (listing p95 57 → 45 ms).
                    "PRAGMA mmap_size=2147418112;"
                ),
            },
            # Tests use a file too: an in-memory database shares one cache between threads and
            # locks whole tables, so concurrent-writer tests would not see real behaviour.
            # The process id keeps two test runs in one checkout from sharing a database.
            "TEST": {"NAME": str(VAR_DIR / f"test-fanworks-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fanworks.accounts.validators.MaximumLengthValidator"},
]
LOGIN_URL = "/users/login"
CSRF_FAILURE_VIEW = "fanworks.core.views.csrf_failure"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling: counted in the database so every server process shares it.
LOGIN_THROTTLE_PER_IP = env_int("LOGIN_THROTTLE_PER_IP", 20)
LOGIN_THROTTLE_PER_USERNAME = env_int("LOGIN_THROTTLE_PER_USERNAME", 10)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 300)
# Comments allowed per window from one guest address and from one account younger than 3 days.
COMMENT_THROTTLE_GUEST = env_int("COMMENT_THROTTLE_GUEST", 5)
COMMENT_THROTTLE_NEW_ACCOUNT = env_int("COMMENT_THROTTLE_NEW_ACCOUNT", 10)
COMMENT_THROTTLE_WINDOW_SECONDS = env_int("COMMENT_THROTTLE_WINDOW_SECONDS", 600)
# Work files uploaded at /works/import per account in a window (admins get more).
IMPORT_UPLOAD_THROTTLE = env_int("IMPORT_UPLOAD_THROTTLE", 20)
IMPORT_UPLOAD_THROTTLE_ADMIN = env_int("IMPORT_UPLOAD_THROTTLE_ADMIN", 200)
IMPORT_UPLOAD_THROTTLE_WINDOW_SECONDS = env_int("IMPORT_UPLOAD_THROTTLE_WINDOW_SECONDS", 3600)
# Exports (/users/NAME/export) an account may request per window (windows start at midnight
# UTC), and how long a finished export is kept before it is deleted.
EXPORT_THROTTLE = env_int("EXPORT_THROTTLE", 1)
EXPORT_THROTTLE_WINDOW_SECONDS = env_int("EXPORT_THROTTLE_WINDOW_SECONDS", 24 * 60 * 60)
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)
# Built download files nobody has fetched for this many days are removed (old versions of a
# work are never fetched again, so they go too).
DOWNLOAD_CACHE_KEEP_DAYS = env_int("DOWNLOAD_CACHE_KEEP_DAYS", 30)
# Number of proxies in front of the app whose X-Forwarded-For entries are trusted.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_HSTS"):
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A 510,000-character chapter of non-Latin text form-encodes to about 4.6 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# E-mail: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Fanworks <noreply@localhost>")

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "fanworks" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background jobs: run them right after the transaction that queued them commits (tests, small
# archives), or leave them to the runner of `fanworks serve`'s background process or
# `fanworks worker`.
JOBS_EAGER = env_bool("JOBS_EAGER", False)
# Run jobs in `fanworks serve`'s background process (0 when separate `fanworks worker`s run them).
JOBS_IN_SERVER = env_bool("JOBS_IN_SERVER", True)
# A wrangling change touching more works than this re-filters them in a background job.
REFILTER_INLINE_LIMIT = env_int("REFILTER_INLINE_LIMIT", 2000)

# Work search: "tantivy" (an index under SEARCH_INDEX_DIR, fed from the search outbox) or "sql".
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "tantivy").strip() or "tantivy"
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", "").strip() or VAR_DIR / "search-index")
SEARCH_INDEX_DIR = SEARCH_INDEX_DIR.resolve()
# Run the outbox indexer in `fanworks serve`'s background process (request workers reload their
# searcher as they search). Servers sharing an index directory take turns through a lock file.
SEARCH_INDEXER_IN_SERVER = env_bool("SEARCH_INDEXER_IN_SERVER", True)
# Niceness added to that process's indexer thread, so requests win the CPU (0 leaves it as is).
# The job runner keeps normal priority: a writer kept off the CPU holding SQLite's lock stalls
# every request that writes.
BACKGROUND_NICE = env_int("BACKGROUND_NICE", 10)
