"""Production: PostgreSQL, keys and host names from the environment, HTTPS only behind a reverse proxy, static files
collected under var/static and served by WhiteNoise, logs on stderr. `manage.py check --deploy` is clean.

A variable that is required and missing stops the start with a message naming it:

  SHUNIU_SECRET_KEY         required: Django's signing key, at least 50 random characters
  SHUNIU_ALLOWED_HOSTS      required: the host names the site answers to, comma-separated
  DATABASE_URL              required: postgres://user:password@host:5432/name
  SHUNIU_PERSONAL_DATA_KEY  required: the key identity and phone numbers are encrypted with
  SHUNIU_PERSONAL_DATA_OLD_KEYS    keys used before, comma-separated, until `shuniu keys rotate` has run
  SHUNIU_PERSONAL_DATA_CIPHER      "aes-256-gcm" (default) or "sm4-gcm" (SM4/SM3, for 密评)
  SHUNIU_SSL_REDIRECT       "0" when the proxy itself redirects http to https (default: Django redirects)
  SHUNIU_PROXY_COUNT        reverse proxies in front of the app (default 1), for the address the lockout counts
  SHUNIU_VAR_DIR            where var/ is (static files, uploads); default: beside the package
  SHUNIU_AUDIT_RETENTION_DAYS  days the audit log is kept before it may be archived (default and minimum 180)
  SHUNIU_SESSION_IDLE_MINUTES  minutes without a request after which a session ends (default 30)
  SHUNIU_PUBLIC_API_SCHEMA  "1" serves /api/schema/ and /api/docs/ to anonymous visitors (default: signed-in only)
  SHUNIU_CACHE_URL          redis://host:6379/N keeps the figures in Redis (default: files under var/cache/figures)
  SHUNIU_STATEMENT_TIMEOUT  seconds a web request's query may run before it is cut off with 503 查询超时 (default 30;
                            0: no bound; commands and the worker are never bounded)
  SHUNIU_WEB_PARALLEL_WORKERS  PostgreSQL parallel workers per statement of a web request (default 0; commands and
                            the worker keep the server's max_parallel_workers_per_gather)
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, VAR_DIR


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"生产环境必须设置环境变量 {name}（见 README「Running in production」）。")
    return value


DEBUG = False
SECRET_KEY = required("SHUNIU_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in required("SHUNIU_ALLOWED_HOSTS").split(",") if host.strip()]
SHUNIU_PERSONAL_DATA_KEY = required("SHUNIU_PERSONAL_DATA_KEY")

required("DATABASE_URL")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("生产环境的 DATABASE_URL 必须指向 PostgreSQL（postgres://…）。")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# HTTPS only. TLS ends at the reverse proxy, which tells Django the original scheme in X-Forwarded-Proto (it must
# set or overwrite that header on every request).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SHUNIU_SSL_REDIRECT", "1") != "0"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True  # only the header's directive: the host is on no preload list unless someone submits it
SHUNIU_PROXY_COUNT = int(os.environ.get("SHUNIU_PROXY_COUNT", 1))
# Administrators and whoever may unmask personal numbers sign in with a password and a TOTP code (MLPS level 3).
SHUNIU_REQUIRE_TWO_FACTOR = True

# `shuniu collectstatic` copies every static file to var/static with a content hash in its name and a compressed
# copy; WhiteNoise serves them with far-future cache headers.
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    **LOGGING,  # base's filter and logger: a refusal (403) is logged as one line, without a traceback
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},  # StreamHandler: stderr
    "root": {"handlers": ["stderr"], "level": "INFO"},
}
