"""The whole configuration, read from environment variables (see ``.env.example``).

Production differs from development only by the environment: debug off requires a real secret
key and a database URL, and the process refuses to start without them.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production)."
        )
    SECRET_KEY = "django-insecure-development-only-never-used-with-debug-off"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Render tells each service its public host name.
if os.environ.get("RENDER_EXTERNAL_HOSTNAME"):
    ALLOWED_HOSTS.append(os.environ["RENDER_EXTERNAL_HOSTNAME"])
    CSRF_TRUSTED_ORIGINS.append(f"https://{os.environ['RENDER_EXTERNAL_HOSTNAME']}")
# Proxies in front of the app that append to X-Forwarded-For (Render: 1). Used for the
# client address in the login lockout; 0 trusts only the socket's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0" if DEBUG else "1"))

INSTALLED_APPS = [
    # The dashboard's admin/index.html replaces unfold's: its templates are found first.
    "apps.dashboard",
    # unfold and its contrib apps must come before django.contrib.admin.
    # unfold without its replacement of admin.site: the site is backoffice/sites.py's.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    # django.contrib.admin, with the site that runs each POST as one submission.
    "backoffice.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "mptt",
    "simple_history",
    "import_export",
    "ninja",
    "corsheaders",
    "axes",
    "apps.toolkit",
    "apps.access",
    "apps.users",
    "apps.catalog",
    "apps.orders",
    "apps.outfits",
    "apps.feed",
    "backoffice",
]

MIDDLEWARE = [
    "backoffice.middleware.HealthzMiddleware",
    "backoffice.middleware.RejectNulMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that writes a page (below), so it compresses the finished page.
    "backoffice.middleware.CompressPagesMiddleware",
    "backoffice.middleware.ContentSecurityPolicyMiddleware",
    "apps.feed.cache.FeedCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: locks out an address after repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the admin login form's field (it holds the e-mail)
AXES_CLIENT_IP_CALLABLE = "backoffice.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_ENABLE_ADMIN = False  # backoffice/admin.py registers lockouts in unfold's look
# Every failure is logged, so that an account also locks after failures from many addresses
# (apps/access/signin.py): ACCOUNT_FAILURE_LIMIT within ACCOUNT_FAILURE_WINDOW.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
ACCOUNT_FAILURE_LIMIT = int(os.environ.get("DJANGO_ACCOUNT_FAILURE_LIMIT", "20"))
ACCOUNT_FAILURE_WINDOW = timedelta(
    minutes=int(os.environ.get("DJANGO_ACCOUNT_FAILURE_MINUTES", "60"))
)

ROOT_URLCONF = "backoffice.urls"
# A failed CSRF check (an expired session, a form from another window) explained in the
# admin's layout, like every other refusal.
CSRF_FAILURE_VIEW = "apps.access.views.csrf_failure"
WSGI_APPLICATION = "backoffice.wsgi.application"
ASGI_APPLICATION = "backoffice.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backoffice" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL when set (Neon needs ?sslmode=require). Without it, development
# (debug on) and the test settings use the embedded PostgreSQL; production refuses to start.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
elif DEBUG or env_bool("DJANGO_EMBEDDED_DB"):
    from backoffice.embedded_pg import database_settings

    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **database_settings()}}
else:
    raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_DEBUG is off (production).")
DATABASES["default"].update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)
# The storefront feed reads through "feed": the read replica when DATABASE_REPLICA_URL is
# set, the primary otherwise; with a statement timeout either way (backoffice/routers.py).
FEED_STATEMENT_TIMEOUT_MS = int(os.environ.get("FEED_STATEMENT_TIMEOUT_MS", "3000"))
_replica_url = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASES["feed"] = (
    dj_database_url.parse(_replica_url) if _replica_url else dict(DATABASES["default"])
)
DATABASES["feed"].update(
    CONN_MAX_AGE=600,
    CONN_HEALTH_CHECKS=True,
    OPTIONS={
        **DATABASES["feed"].get("OPTIONS", {}),
        "options": f"-c statement_timeout={FEED_STATEMENT_TIMEOUT_MS}",
    },
    TEST={"MIRROR": "default"},
)
DATABASE_ROUTERS = ["backoffice.routers.FeedReplicaRouter"]
# The feed's cache (apps/feed/cache.py): each process reads the catalog version from the
# database at most this often (seconds); FEED_CACHE_BODIES=0 renders every request (the
# benchmark's uncached figures, or to rule the cache out when investigating).
FEED_VERSION_TTL = float(os.environ.get("FEED_VERSION_TTL", "1"))
FEED_CACHE_BODIES = os.environ.get("FEED_CACHE_BODIES", "1") != "0"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The back office speaks British English only: unfold's header lists LANGUAGES on every page
# (Django's default is ~100 of them, 5 ms of each page's rendering).
LANGUAGES = [("en-gb", "English")]
# Our words where a library's read oddly (backoffice/locale/en_GB/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "backoffice" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# Media on Cloudinary when CLOUDINARY_URL is set (the cloudinary SDK reads it from the
# environment); the local filesystem otherwise.
CLOUDINARY_URL = os.environ.get("CLOUDINARY_URL", "")
STORAGES = {
    "default": {
        "BACKEND": "cloudinary_storage.storage.MediaCloudinaryStorage"
        if CLOUDINARY_URL
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if CLOUDINARY_URL:
    # After django.contrib.staticfiles, so that Django's collectstatic (whitenoise's manifest)
    # stays in charge of static files: cloudinary_storage's own collectstatic, which wins when
    # it comes first, reads STATICFILES_STORAGE, a setting Django 5.1 removed. Media-only use
    # needs no particular order; the app is here for its `deleteorphanedmedia` command.
    INSTALLED_APPS.append("cloudinary_storage")

# Uploaded images: refused above these (bytes; width × height), with a message naming them.
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", 10 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 24_000_000))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # form fields; files are bounded above
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # bigger uploads spool to a temporary file

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A dead or unreachable Redis costs a request at most this long (the feed then
        # skips it for a few seconds, apps/feed/cache.py); a healthy one answers in ~1 ms.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The shop's name in what customers receive (order e-mails) and in packing slips; its
# currency (ISO 4217) wherever staff read money (apps/toolkit/money.py).
SHOP_NAME = "ModestWear"
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "GBP").strip().upper() or "GBP"

# E-mail (staff password resets, customer e-mails): SMTP from EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587; the console in development; in production
# without EMAIL_URL mail is refused and `check --deploy` warns.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "ModestWear <no-reply@modestwear.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_URL:
    from backoffice.email import smtp_settings

    globals().update(smtp_settings(EMAIL_URL))
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "backoffice.email.RefusingBackend"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # a reset link works for two hours

# /health's details (database aliases, timings, errors) for staff and for monitors that send
# "Authorization: Bearer <HEALTH_TOKEN>"; anybody else learns only up or down.
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Stock at or below this level counts as low for the warehouse views.
LOW_STOCK_THRESHOLD = int(os.environ.get("LOW_STOCK_THRESHOLD", "5"))

# One submission, one effect (apps/toolkit/submissions/): how long a page's one-time key
# can be sent (its record is kept as long, then removed by `manage.py clear_submissions`), and
# how long a repeat waits for the first submission of its key to finish before saying so.
SUBMISSION_KEY_MAX_AGE = timedelta(days=int(os.environ.get("SUBMISSION_KEY_MAX_AGE_DAYS", "7")))
SUBMISSION_WAIT_MS = int(os.environ.get("SUBMISSION_WAIT_MS", "10000"))
# Messages as Django keeps them, each also noted as what its submission did.
MESSAGE_STORAGE = "apps.toolkit.submissions.RecordingStorage"

# Imports and exports (django-import-export; formats in apps/toolkit/importing.py): uploads
# are parked in the cache so that any web instance can confirm an import.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # imports are audited in the history, row by row
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 10 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 200_000))

# The storefront's origins may read the feed from the browser (GET, HEAD and OPTIONS only).
CORS_ALLOWED_ORIGINS = env_list("STOREFRONT_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Production: HTTPS behind Render's proxy, secure cookies, HSTS.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health$"]  # monitors probe over HTTP (/healthz: middleware)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is hard to undo; it is on because the admin is served over HTTPS only.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ADMIN_URL_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"
# Signing in (also at the admin's own login page, reached directly) lands on the dashboard.
LOGIN_URL = f"/{ADMIN_URL_PATH}login/"
LOGIN_REDIRECT_URL = f"/{ADMIN_URL_PATH}"

UNFOLD = {
    "SITE_TITLE": "ModestWear back office",
    "SITE_HEADER": "ModestWear back office",
    "SITE_SYMBOL": "checkroom",
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("toolkit/favicon.svg"),
        }
    ],
    # A fix for unfold's sidebar search; a warning before leaving unsaved list edits; slugs
    # filled from pasted names; list switches that save when flipped; buttons that wait for
    # their form's request (each file says why).
    "STYLES": [lambda request: static("toolkit/admin.css")],
    "SCRIPTS": [
        lambda request: static("toolkit/sidebar-search.js"),
        lambda request: static("toolkit/unsaved-changes.js"),
        lambda request: static("toolkit/prepopulate-on-input.js"),
        lambda request: static("toolkit/instant-toggle.js"),
        lambda request: static("toolkit/submit-once.js"),
    ],
    "SHOW_HISTORY": True,
    "LOGIN": {"form": "apps.access.signin.SignInForm"},
    "DASHBOARD_CALLBACK": "apps.dashboard.dashboard.dashboard_callback",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "apps.dashboard.navigation.sidebar",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "backoffice.logs.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if DEBUG else "json"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}
