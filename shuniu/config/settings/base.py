"""Settings shared by every environment. `DATABASE_URL` selects the database (default: SQLite under var/)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the shuniu package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("SHUNIU_VAR_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("SHUNIU_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = os.environ.get("SHUNIU_DEBUG", "") == "1"
# Identity and phone numbers of persons are encrypted with a key derived from this secret (shuniu.core.crypto).
# Unset (the demo, development): a key is generated once and kept in SHUNIU_PERSONAL_DATA_KEY_FILE.
SHUNIU_PERSONAL_DATA_KEY = os.environ.get("SHUNIU_PERSONAL_DATA_KEY", "")
SHUNIU_PERSONAL_DATA_KEY_FILE = VAR_DIR / "personal-data.key"
# Secrets used before (comma-separated): values under them stay readable until `shuniu keys rotate` re-encrypts them.
SHUNIU_PERSONAL_DATA_OLD_KEYS = os.environ.get("SHUNIU_PERSONAL_DATA_OLD_KEYS", "")
# "aes-256-gcm" (default) or "sm4-gcm" (SM4 + HMAC-SM3, the national algorithms a deployment under 密评 selects).
SHUNIU_PERSONAL_DATA_CIPHER = os.environ.get("SHUNIU_PERSONAL_DATA_CIPHER", "aes-256-gcm")
ALLOWED_HOSTS = os.environ.get("SHUNIU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "shuniu.core",
    "shuniu.accounts",
    "shuniu.areas",
    "shuniu.organizations",
    "shuniu.hubs",
    "shuniu.assessments",
    "shuniu.indicators",
    "shuniu.imports",
    "shuniu.audit",
    "shuniu.demo",
]

MIDDLEWARE = [
    "shuniu.core.timeouts.StatementTimeoutMiddleware",  # first: bounds every query of the request (PostgreSQL)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shuniu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # whether the session gave its second factor (request.user.is_verified())
    "shuniu.accounts.signin.SessionPolicyMiddleware",  # idle and absolute session limits; two factors enforced
    "shuniu.audit.middleware.AuditMiddleware",  # request id and acting user for the audit log
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shuniu.core.middleware.ServerTimingMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into the lockout answer
]

ROOT_URLCONF = "shuniu.config.urls"
WSGI_APPLICATION = "shuniu.config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default: a SQLite file under var/
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shuniu.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-200000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#
# Authentication
#

# Argon2 for new and changed passwords; PBKDF2 stays so that older hashes still verify (and are upgraded to Argon2
# at the user's next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shuniu.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},  # Django's, in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shuniu.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "shuniu.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "shuniu.accounts.backends.RoleBackend",  # has_perm() and {{ perms }} see the permissions of the user's roles
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "indicators:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): 5 failed logins for one user name from one address lock that pair for 30 minutes. The pair,
# not the name alone, so that nobody can lock a colleague out by typing their name; not the address alone, because
# an office's workstations usually reach the server through one address. A success clears the count; an
# administrator unlocks earlier with `shuniu axes_reset_username NAME`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
# The pair for logins; an API token's failures by its prefix alone, from any address (accounts/authentication.py).
AXES_LOCKOUT_PARAMETERS = "shuniu.accounts.authentication.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the 30 minutes run from the failure that locked
AXES_LOCKOUT_CALLABLE = "shuniu.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "shuniu.accounts.lockout.client_address"
# Who may do what: the accounts app loads a user's role assignments for the access checks (core.access.user_grants)
SHUNIU_GRANTS = "shuniu.accounts.grants.load_grants"
SHUNIU_PROXY_COUNT = int(os.environ.get("SHUNIU_PROXY_COUNT", 0))  # reverse proxies in front (prod: 1)

# Sessions end with the browser, after SHUNIU_SESSION_IDLE_MINUTES without a request, and at the latest a working day
# after the sign-in (shuniu.accounts.signin.SessionPolicyMiddleware keeps both clocks in the session and writes the
# last request's time at most once a minute; SESSION_SAVE_EVERY_REQUEST would add a write to every page).
SESSION_COOKIE_AGE = 8 * 60 * 60
SHUNIU_SESSION_IDLE_MINUTES = int(os.environ.get("SHUNIU_SESSION_IDLE_MINUTES", 30))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages put the token into forms and htmx headers themselves; no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"

# Two factors (shuniu.accounts.two_factor): required of every user holding one of these permissions — the
# administrators' and the unmasking of personal numbers — when SHUNIU_REQUIRE_TWO_FACTOR is on (always in production;
# "1" turns it on elsewhere). A user with an authenticator is asked for a code whatever this says.
SHUNIU_REQUIRE_TWO_FACTOR = os.environ.get("SHUNIU_REQUIRE_TWO_FACTOR", "") == "1"
SHUNIU_TWO_FACTOR_PERMISSIONS = [
    "auth.add_user",  # system administrator
    "auth.change_user",
    "accounts.add_roleassignment",  # security administrator
    "otp_totp.delete_totpdevice",
    "axes.delete_accessattempt",
    "audit.view_objectchange",  # audit administrator
    "organizations.unmask_organization",  # full ID and phone numbers (the city's business administrator)
]
OTP_TOTP_ISSUER = "枢纽"  # the account's name in the authenticator app
OTP_TOTP_THROTTLE_FACTOR = 0  # no throttling of its own: failed codes count for django-axes' lockout instead
OTP_STATIC_THROTTLE_FACTOR = 0

#
# Security headers
#

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: behaviour lives in static files (shuniu/static/shuniu/*.js), data reaches
# scripts as <script type="application/json"> blocks or data- attributes, and styles are classes. Scripts may
# still set styles through the CSSOM (ECharts, Bootstrap's Popper), which the policy allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

FORM_RENDERER = "shuniu.core.forms.FormRenderer"  # Django's, with selects that render their options inline

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = Path(os.environ.get("SHUNIU_MEDIA_ROOT", VAR_DIR / "media"))  # uploaded import files and results
MEDIA_URL = "/media/"  # never served directly: files are sent by views that check the user's rights

# Figures kept until a write changes the records behind them (shuniu/indicators/cache.py): in Redis when
# SHUNIU_CACHE_URL names one (redis://127.0.0.1:6379/1; every server process shares it), otherwise in files under
# var/cache (no server needed). The default cache stays in each process's memory.
SHUNIU_CACHE_URL = os.environ.get("SHUNIU_CACHE_URL", "").strip()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": SHUNIU_CACHE_URL}
        if SHUNIU_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "figures"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    ),
}

# Seconds any statement of a web request may run on PostgreSQL (its statement_timeout) before it is cut off and the
# request answers 503 「查询超时」 (shuniu/core/timeouts.py); 0: no bound. Commands and the background worker are not
# bounded.
SHUNIU_STATEMENT_TIMEOUT = float(os.environ.get("SHUNIU_STATEMENT_TIMEOUT", 30))
# PostgreSQL's max_parallel_workers_per_gather for web requests (shuniu/core/timeouts.py)
SHUNIU_WEB_PARALLEL_WORKERS = int(os.environ.get("SHUNIU_WEB_PARALLEL_WORKERS", 0))

# Background work (imports): django-tasks with its database backend, run by `shuniu worker` (`shuniu serve`
# starts one beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker (`shuniu worker`, `shuniu import`) not seen for this long is dead, and the jobs it was running are marked
# failed (shuniu/core/workers.py); on the same machine a released lock file tells it at once.
SHUNIU_WORKER_GRACE_SECONDS = float(os.environ.get("SHUNIU_WORKER_GRACE_SECONDS", 60))
SHUNIU_IMPORT_MAX_BYTES = int(os.environ.get("SHUNIU_IMPORT_MAX_BYTES", 30 * 1024 * 1024))
SHUNIU_IMPORT_MAX_ROWS = int(os.environ.get("SHUNIU_IMPORT_MAX_ROWS", 200_000))
# Days the audit log is kept before `shuniu audit archive --purge` may remove rows; at least 180 (checked at start,
# shuniu.audit.retention).
SHUNIU_AUDIT_RETENTION_DAYS = os.environ.get("SHUNIU_AUDIT_RETENTION_DAYS", 180)

STATIC_URL = "/static/"
STATIC_ROOT = None  # production settings set it and run collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "shuniu.core.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Basic first, so an anonymous caller gets 401 with WWW-Authenticate; both count failures for the lockout
        "shuniu.accounts.authentication.BasicAuthentication",  # refused to users who sign in with two factors
        "shuniu.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API would render, for a signed-in user, forms whose dropdowns list related records
    # city-wide. Humans read the API at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "shuniu.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "shuniu.core.api.exceptions.exception_handler",
}
# /api/schema/ and /api/docs/ answer only a signed-in user or a token (shuniu.config.api); "1" opens them to anyone.
SHUNIU_PUBLIC_API_SCHEMA = os.environ.get("SHUNIU_PUBLIC_API_SCHEMA", "") == "1"
SPECTACULAR_SETTINGS = {
    "TITLE": "枢纽 Shuniu API",
    "DESCRIPTION": "Registry of social organizations and hubs, dated links and coverage indicators.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AreaLevelEnum": "shuniu.areas.choices.AreaLevel",
        "AreaKindEnum": "shuniu.areas.choices.AreaKind",
        "OrganizationKindEnum": "shuniu.organizations.choices.OrganizationKind",
        "OrganizationStatusEnum": "shuniu.organizations.choices.OrganizationStatus",
        "RegistrationLevelEnum": "shuniu.organizations.choices.RegistrationLevel",
        "HubLevelEnum": "shuniu.hubs.choices.HubLevel",
        "LinkRoleEnum": "shuniu.hubs.choices.LinkRole",
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # a refusal (403) and other client errors are logged as one line, without the traceback Django attaches; server
    # errors keep theirs (shuniu.core.errors). prod.py keeps the filter and the logger.
    "filters": {"client_errors_without_traceback": {"()": "shuniu.core.errors.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors_without_traceback"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Error pages in the user's language inside the site's layout (shuniu.core.errors; handler403/404/500 in urls.py)
CSRF_FAILURE_VIEW = "shuniu.core.errors.csrf_failure"

# Static files are served by WhiteNoise straight from the app and vendor folders (no collectstatic for the demo).
WHITENOISE_USE_FINDERS = True
FORMAT_MODULE_PATH = ["shuniu.config.formats"]
USE_THOUSAND_SEPARATOR = False  # grouping comes from |intcomma where a figure is shown, never in form values
