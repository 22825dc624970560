"""Django settings for Wspólnota, driven entirely by environment variables.

WSPOLNOTA_ENV chooses the defaults: ``production`` (the default: every secret must be given,
DEBUG is off, cookies are secure), ``demo`` (the one-command demo on SQLite) or ``test``.
Every value can be overridden by its own variable; see README.md for the list.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import phonenumbers

from wspolnota.core import audit_anchor as _audit_anchor
from wspolnota.envconfig import (
    ConfigError,
    env_bool,
    env_choice,
    env_codes,
    env_date,
    env_emails,
    env_float,
    env_int,
    env_list,
    env_optional_str,
    env_rate,
    env_retired,
    env_sender,
    env_str,
    env_url,
    parse_database_url,
    parse_email_url,
    parse_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("WSPOLNOTA_VAR_DIR", str(BASE_DIR / "var")))

ENV = env_choice("WSPOLNOTA_ENV", "production", ("production", "demo", "test"))
IS_PRODUCTION = ENV == "production"
IS_TEST = ENV == "test"

DEBUG = env_bool("DEBUG", ENV == "demo")
if IS_PRODUCTION and DEBUG and not env_bool("ALLOW_DEBUG_IN_PRODUCTION", False):
    raise ConfigError("DEBUG=1 is refused in production; set WSPOLNOTA_ENV=demo for a local demo")


def _local_secret(name: str) -> str:
    """A secret kept in var/ for the demo and tests, so restarts keep sessions valid."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f".{name}"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    PESEL_HASH_KEY = env_str("PESEL_HASH_KEY", required=True)
elif IS_TEST:
    SECRET_KEY = env_str("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
    PESEL_HASH_KEY = env_str("PESEL_HASH_KEY", "test-pesel-key")
else:
    SECRET_KEY = env_optional_str("SECRET_KEY") or _local_secret("secret_key")
    PESEL_HASH_KEY = env_optional_str("PESEL_HASH_KEY") or _local_secret("pesel_hash_key")

if len(SECRET_KEY) < 32:
    raise ConfigError("SECRET_KEY must be at least 32 characters long")
if len(PESEL_HASH_KEY) < 8:
    raise ConfigError("PESEL_HASH_KEY must be at least 8 characters long")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "[::1]"] if not IS_PRODUCTION else [],
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError(
        "ALLOWED_HOSTS must be set in production, e.g. ALLOWED_HOSTS=wspolnota.krakow.pl"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if any("://" not in origin for origin in CSRF_TRUSTED_ORIGINS):
    # Django only warns in `manage.py check`; the web process would then refuse every form post.
    raise ConfigError(
        "CSRF_TRUSTED_ORIGINS must list addresses with a scheme, e.g. https://wspolnota.krakow.pl"
    )
# Every link in e-mails, SMS, feeds and open data is built from it.
if IS_PRODUCTION:
    env_str("SITE_URL", required=True)
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", https_only=IS_PRODUCTION).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The operator's back office (``core/backoffice.py``): Django's admin without autodiscovery.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "wspolnota.core",
    "wspolnota.territory",
    "wspolnota.accounts",
    "wspolnota.communication",
    "wspolnota.organisations",
    "wspolnota.budget",
    "wspolnota.voting",
    "wspolnota.consultations",
    "wspolnota.grants",
    "wspolnota.community",
    "wspolnota.councils",
    "wspolnota.monitoring",
    "wspolnota.implementation",
    "wspolnota.schools",
    "wspolnota.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wspolnota.core.middleware.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wspolnota.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "wspolnota.urls"
WSGI_APPLICATION = "wspolnota.wsgi.application"
ASGI_APPLICATION = "wspolnota.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wspolnota.core.context_processors.platform",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str(
    "DATABASE_URL",
    "sqlite:///:memory:" if IS_TEST else f"sqlite:///{VAR_DIR / 'wspolnota.sqlite3'}",
)
DATABASES = {"default": parse_database_url(DATABASE_URL, base_dir=BASE_DIR)}
if IS_TEST and DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # type: ignore[union-attr]
    DATABASES["default"].pop("OPTIONS", None)
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUDIT_LOG_DB_TRIGGERS = env_bool("AUDIT_LOG_DB_TRIGGERS", not IS_TEST)

# The audit chain's head is anchored outside the database by signed checkpoints (docs/audit.md):
# Ed25519, so the signing key stays in one file on the machine that runs audit_checkpoint while
# every process, and every auditor, checks signatures with the public key alone.
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit")))
_audit_key_file = env_optional_str("AUDIT_CHECKPOINT_KEY_FILE")
if _audit_key_file is None and ENV == "demo":
    _audit_key_file = str(VAR_DIR / ".audit_checkpoint_key.pem")
    if not Path(_audit_key_file).exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _demo_pem, _demo_public = _audit_anchor.generate_private_key_pem()
        _fd = os.open(_audit_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(_fd, "wb") as _handle:
            _handle.write(_demo_pem)
AUDIT_CHECKPOINT_KEY_FILE = Path(_audit_key_file) if _audit_key_file else None
AUDIT_CHECKPOINT_PUBLIC_KEY = env_optional_str("AUDIT_CHECKPOINT_PUBLIC_KEY") or ""
try:
    if AUDIT_CHECKPOINT_PUBLIC_KEY:
        _audit_anchor.load_public_key(AUDIT_CHECKPOINT_PUBLIC_KEY)
    if AUDIT_CHECKPOINT_KEY_FILE is not None:
        _signing_public = _audit_anchor.public_key_text(
            _audit_anchor.load_private_key(AUDIT_CHECKPOINT_KEY_FILE).public_key()
        )
        if AUDIT_CHECKPOINT_PUBLIC_KEY and _signing_public != AUDIT_CHECKPOINT_PUBLIC_KEY:
            raise ConfigError(
                "AUDIT_CHECKPOINT_KEY_FILE holds another key than AUDIT_CHECKPOINT_PUBLIC_KEY"
            )
        AUDIT_CHECKPOINT_PUBLIC_KEY = _signing_public
except _audit_anchor.AnchorKeyError as _exc:
    raise ConfigError(str(_exc)) from None
if IS_PRODUCTION and not AUDIT_CHECKPOINT_PUBLIC_KEY:
    raise ConfigError(
        "AUDIT_CHECKPOINT_PUBLIC_KEY must be set in production (the audit log's checkpoints are "
        "checked with it; 'manage.py audit_keygen PATH' makes the key pair)"
    )
AUDIT_CHECKPOINT_EMAILS = env_emails("AUDIT_CHECKPOINT_EMAILS")

# --- Cache, background tasks ------------------------------------------------------------------
REDIS_URL = env_optional_str("REDIS_URL")
if REDIS_URL:
    REDIS_URL = parse_redis_url(REDIS_URL)

if IS_TEST:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by every web process, unlike a per-process memory cache: rate limits stay correct.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "wspolnota_cache",
        }
    }

TASKS_BACKEND = env_choice(
    "TASKS_BACKEND",
    "immediate" if IS_TEST else ("rq" if REDIS_URL else "database"),
    ("immediate", "database", "rq"),
)
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    if not REDIS_URL:
        raise ConfigError("TASKS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# People kept by the city (no account, issue 17) are refused here.
AUTHENTICATION_BACKENDS = ["wspolnota.accounts.auth.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if IS_TEST:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Rate limits on sensitive forms (django-ratelimit, "count/period", counted in the shared cache)
# and per client address: behind TRUSTED_PROXY_COUNT reverse proxies the address is the one the
# outermost trusted proxy saw (the N-th X-Forwarded-For entry from the right); with 0 the header
# is never trusted. BEHIND_PROXY=1 alone means one proxy.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if BEHIND_PROXY else 0, minimum=0, maximum=10
)
RATE_LIMIT_LOGIN_PER_IP = env_rate("RATE_LIMIT_LOGIN_PER_IP", "30/m")
RATE_LIMIT_SIGNUP = env_rate("RATE_LIMIT_SIGNUP", "10/h")
RATE_LIMIT_SMS_CODE = env_rate("RATE_LIMIT_SMS_CODE", "3/10m")
RATE_LIMIT_SMS_PER_ADDRESS = env_rate("RATE_LIMIT_SMS_PER_ADDRESS", "10/h")
RATE_LIMIT_PASSWORD_RESET = env_rate("RATE_LIMIT_PASSWORD_RESET", "3/h")
RATE_LIMIT_SENSITIVE = env_rate("RATE_LIMIT_SENSITIVE", "20/h")
# Answers to one anonymous consultation survey from one network address (besides one per browser).
RATE_LIMIT_ANONYMOUS_SURVEY = env_rate("RATE_LIMIT_ANONYMOUS_SURVEY", "10/h")
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "wspolnota.core.views.rate_limited"
RATELIMIT_IP_META_KEY = "wspolnota.core.ratelimit.client_address"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] if IS_TEST else []

# Failed log-ins slow down the one who fails, never lock the account: after
# LOGIN_FAILURES_BEFORE_DELAY failures for one account from one address, that address waits
# LOGIN_DELAY_SECONDS, doubling with each further failure up to LOGIN_MAX_DELAY_SECONDS. Failures
# for one account from all addresses together slow down only devices that have never logged in
# to it (after LOGIN_ACCOUNT_FAILURES_BEFORE_DELAY), so the owner's own devices are not delayed.
env_retired(
    "RATE_LIMIT_LOGIN",
    "failed log-ins are slowed per account and address; see LOGIN_FAILURES_BEFORE_DELAY",
)
LOGIN_FAILURES_BEFORE_DELAY = env_int("LOGIN_FAILURES_BEFORE_DELAY", 5, minimum=1, maximum=100)
LOGIN_ACCOUNT_FAILURES_BEFORE_DELAY = env_int(
    "LOGIN_ACCOUNT_FAILURES_BEFORE_DELAY", 20, minimum=1, maximum=10_000
)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 30, minimum=1, maximum=3600)
LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 900, minimum=1, maximum=86_400)
if LOGIN_MAX_DELAY_SECONDS < LOGIN_DELAY_SECONDS:
    raise ConfigError("LOGIN_MAX_DELAY_SECONDS must not be shorter than LOGIN_DELAY_SECONDS")

# Messages sent on a person's request (codes, confirmation and settings links): only to numbers
# of these countries (ISO 3166 codes), and at most so many a day to one number or one address.
SMS_ALLOWED_COUNTRIES = env_codes(
    "SMS_ALLOWED_COUNTRIES",
    ("PL", "UA"),
    known=phonenumbers.SUPPORTED_REGIONS,
    what="country code",
)
SMS_DAILY_LIMIT_PER_NUMBER = env_int("SMS_DAILY_LIMIT_PER_NUMBER", 5, minimum=1, maximum=100)
EMAIL_DAILY_LIMIT_PER_ADDRESS = env_int("EMAIL_DAILY_LIMIT_PER_ADDRESS", 5, minimum=1, maximum=100)

SMS_CODE_TTL_SECONDS = env_int("SMS_CODE_TTL_SECONDS", 600, minimum=60, maximum=3600)
SMS_CODE_MAX_ATTEMPTS = env_int("SMS_CODE_MAX_ATTEMPTS", 5, minimum=1, maximum=20)

# --- Communication transports -------------------------------------------------------------------
# Production sends for real: e-mail by SMTP, SMS through the gateway. A file or memory backend there
# would silently swallow every confirmation code and notice, so it is refused at start-up, unless
# ALLOW_UNDELIVERED_MESSAGES=1 says that nothing is meant to be delivered (a benchmark on
# production settings, a dry run of a deployment).
_MUST_DELIVER = IS_PRODUCTION and not env_bool("ALLOW_UNDELIVERED_MESSAGES", False)
if IS_PRODUCTION:
    EMAIL_URL = env_str("EMAIL_URL", required=True)
else:
    EMAIL_URL = env_str("EMAIL_URL", "locmem://" if IS_TEST else f"file://{VAR_DIR / 'mail'}")
_email = parse_email_url(EMAIL_URL, base_dir=BASE_DIR)
if _MUST_DELIVER and not _email.backend.endswith(".smtp.EmailBackend"):
    raise ConfigError(
        "EMAIL_URL must be smtp:// or smtps:// in production (console://, locmem:// and file:// "
        "deliver nothing)"
    )
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
if _email.file_path:
    EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = env_sender(
    "DEFAULT_FROM_EMAIL", "Wspólnota Kraków <noreply@wspolnota.krakow.pl>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env_choice(
    "SMS_BACKEND",
    "smsapi" if IS_PRODUCTION else ("memory" if IS_TEST else "file"),
    ("file", "memory", "smsapi"),
)
if _MUST_DELIVER and SMS_BACKEND != "smsapi":
    raise ConfigError(
        f"SMS_BACKEND={SMS_BACKEND} is refused in production (it sends nothing); use smsapi"
    )
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(VAR_DIR / "sms.log")))
SMS_SENDER_NAME = env_str("SMS_SENDER_NAME", "Wspolnota")
if SMS_BACKEND == "smsapi":
    # The gateway itself reads SMSAPI_URL, SMSAPI_TIMEOUT, …; the app's start-up check builds it
    # once, so those fail at start-up too (wspolnota/communication/apps.py).
    env_str("SMSAPI_TOKEN", required=True)
    env_float("SMSAPI_TIMEOUT", 10.0, above=0, maximum=300)
    # The gateway's test mode accepts every message and delivers none.
    if env_bool("SMSAPI_TEST", False) and _MUST_DELIVER:
        raise ConfigError("SMSAPI_TEST=1 is refused in production (the gateway then sends nothing)")
    if _MUST_DELIVER:
        # Without it every delivery report is refused and no SMS is ever marked delivered.
        env_str("SMSAPI_CALLBACK_SECRET", required=True)

# Spoken notices: smsapi calls through the gateway's voice messages (VMS); the file backend is a
# hand-over point for a phone system of the city's own (a dialler), so production accepts it only
# at a path chosen on purpose; memory keeps calls in a list.
_voice_backend = env_choice(
    "VOICE_BACKEND", "memory" if IS_TEST else "file", ("smsapi", "file", "memory")
)
if _MUST_DELIVER and _voice_backend == "memory":
    raise ConfigError("VOICE_BACKEND=memory is refused in production (it calls nobody)")
if _voice_backend == "smsapi":
    env_str("SMSAPI_TOKEN", required=True)
if _MUST_DELIVER and _voice_backend == "file" and env_optional_str("VOICE_FILE_PATH") is None:
    raise ConfigError(
        "VOICE_FILE_PATH must be set in production: the call list the city's phone system reads"
    )
env_int("COMMUNICATION_DELIVERY_PARALLEL", 2, minimum=1, maximum=64)

# --- Privacy: retention periods (days) ---------------------------------------------------------
RETENTION_DAYS = {
    "inactive_account": env_int("RETENTION_INACTIVE_ACCOUNT_DAYS", 3 * 365, minimum=30),
    "sms_codes": env_int("RETENTION_SMS_CODES_DAYS", 30, minimum=1),
    "deleted_account_audit": env_int("RETENTION_AUDIT_DAYS", 10 * 365, minimum=365),
    "voter_roll": env_int("RETENTION_VOTER_ROLL_DAYS", 365, minimum=30),
    # Sent, failed and cancelled messages (their addresses and texts) in the outbox.
    "messages": env_int("RETENTION_MESSAGES_DAYS", 90, minimum=7),
    # Printed letter batches (the PDF holds names, postal addresses and the letters' texts),
    # counted from rendering: time for the post room to print, fold and post them, and to
    # print a spoilt sheet again. A batch holding a one-time code goes no later than the code
    # expires (``communication.personaldata.letter_batches_purge``).
    "letter_batches": env_int("RETENTION_LETTER_BATCHES_DAYS", 30, minimum=7),
    # Written volunteering agreements (names, the signed file, the scan), counted from the
    # agreement's last day: the six-year limitation period of civil-law claims (art. 118 of the
    # Civil Code). [check: the organiser's own archive rules may ask for longer]
    "volunteer_agreements": env_int("RETENTION_VOLUNTEER_AGREEMENTS_DAYS", 6 * 365, minimum=365),
}

# --- Consultations (resolution CXI/2904/18) ----------------------------------------------------
# A remark sent by post counts by its post-mark (the date it was handed to the post office, as in
# art. 57 § 5 of the Code of Administrative Procedure): a letter post-marked within the
# consultation is still entered when it arrives up to this many days after the last day. [check:
# the city's own rules may name another period]
# How long a clerk may see a person's page after identifying them at the counter (minutes):
# one visit or one call, not a working day (issue 17, docs/counter.md).
COUNTER_ACCESS_MINUTES = env_int("COUNTER_ACCESS_MINUTES", 60, minimum=5, maximum=480)
CONSULTATION_POSTMARK_GRACE_DAYS = env_int(
    "CONSULTATION_POSTMARK_GRACE_DAYS", 14, minimum=0, maximum=90
)
# A meeting reminder goes a day ahead; by letter (a person without an account who chose letters)
# it goes this many days ahead, so that the post delivers it before the meeting.
CONSULTATION_LETTER_REMINDER_DAYS = env_int(
    "CONSULTATION_LETTER_REMINDER_DAYS", 7, minimum=2, maximum=30
)

# --- The budget vote (docs/voting.md) ---------------------------------------------------------
# Online ballots one confirmed mobile number may confirm in one edition (a household's phone).
VOTING_BALLOTS_PER_PHONE = env_int("VOTING_BALLOTS_PER_PHONE", 1, minimum=1, maximum=10)
# The mixer moves sealed envelopes into the ballot box when at least this many wait (and all at
# the close): the smallest crowd a ballot hides in.
VOTING_MIX_BATCH = env_int("VOTING_MIX_BATCH", 50, minimum=1, maximum=100_000)
# Younger online voters need a parent's or guardian's declaration; without it they are listed for
# the commission to review.
VOTING_GUARDIAN_AGE = env_int("VOTING_GUARDIAN_AGE", 13, minimum=0, maximum=18)
# The commission's list flags an address given by at least this many different people.
VOTING_SUSPICIOUS_PER_ADDRESS = env_int("VOTING_SUSPICIOUS_PER_ADDRESS", 6, minimum=2)

# --- The budget's supporters (issue 16) -----------------------------------------------------------
# What online support needs besides an account: "phone" (a mobile number confirmed by SMS) or
# "identity" (an identity verified through a trusted profile, where the accounts app records one).
BUDGET_SUPPORT_REQUIRES = env_choice("BUDGET_SUPPORT_REQUIRES", "phone", ("phone", "identity"))

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "pl"
# Each language is named in itself, as language pickers should.
LANGUAGES = [("pl", "Polski"), ("en", "English"), ("uk", "Українська")]
LANGUAGE_NATIVE_NAMES = {"pl": "Polski", "en": "English", "uk": "Українська"}
LOCALE_PATHS: list[Path] = []  # each app ships its own locale/ folder
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Warsaw"
LANGUAGE_COOKIE_NAME = "wspolnota_language"
LANGUAGE_COOKIE_SECURE = not DEBUG and not IS_TEST
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Security ---------------------------------------------------------------------------------
_secure_default = IS_PRODUCTION
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _secure_default)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _secure_default)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if IS_PRODUCTION else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

MAP_TILE_URL = env_optional_str("MAP_TILE_URL") or ""
if MAP_TILE_URL:
    env_url(
        "MAP_TILE_URL",
        "",
        https_only=IS_PRODUCTION,
        what="tile address",
        example="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    )
    if not all(part in MAP_TILE_URL for part in ("{z}", "{x}", "{y}")):
        raise ConfigError(
            "MAP_TILE_URL must contain {z}, {x} and {y}, e.g. "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
_tile_origin = ""
if MAP_TILE_URL:
    from urllib.parse import urlsplit as _urlsplit

    _tile_parts = _urlsplit(MAP_TILE_URL.replace("{s}", "a"))
    _tile_origin = f"{_tile_parts.scheme}://{_tile_parts.netloc}".replace("://a.", "://*.")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_tile_origin] if _tile_origin else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Platform facts (configurable per city) -------------------------------------------------------
CITY_NAME = env_str("CITY_NAME", "Kraków")
CITY_TERYT = env_str("CITY_TERYT", "1261011")
HELP_PHONE = env_str("HELP_PHONE", "+48 12 616 12 00")
HELP_EMAIL = env_str("HELP_EMAIL", "wspolnota@um.krakow.pl")
HELP_ADDRESS = env_str(
    "HELP_ADDRESS", "Urząd Miasta Krakowa, pl. Wszystkich Świętych 3-4, 31-004 Kraków"
)
HELP_HOURS = env_str("HELP_HOURS", "pn.–pt. 7:30–15:30")
ACCESSIBILITY_STATEMENT_PUBLISHED = env_date("ACCESSIBILITY_STATEMENT_PUBLISHED", "2026-03-31")
ACCESSIBILITY_STATEMENT_UPDATED = env_date("ACCESSIBILITY_STATEMENT_UPDATED", "2026-11-26")
ACCESSIBILITY_COORDINATOR = env_str("ACCESSIBILITY_COORDINATOR", "Koordynator ds. dostępności UMK")
# The city unit (its code) whose officials keep the NGO registry: verify, return, suspend and
# merge entries. Unset: administrators only (issue 15: not every official of every department).
ORGANISATIONS_REGISTRY_UNIT = env_str("ORGANISATIONS_REGISTRY_UNIT", "")
# The strategy office (its city unit's code): its officials enter and approve the strategy's
# indicator values and keep its tree. Unset: administrators only (issue 15). The demo's office
# is its budget office (KBO), where its official works.
MONITORING_STRATEGY_UNIT = env_str("MONITORING_STRATEGY_UNIT", "KBO" if ENV == "demo" else "")
if len(MONITORING_STRATEGY_UNIT) > 20 or any(c.isspace() for c in MONITORING_STRATEGY_UNIT):
    raise ConfigError(
        f"MONITORING_STRATEGY_UNIT must be a city unit's code (up to 20 characters, no spaces), "
        f"not {MONITORING_STRATEGY_UNIT!r}"
    )
# The city's education unit (its code): its officials confirm the schools, youth centres and
# libraries that run their own participatory budget (issue 22). Unset: administrators only.
SCHOOLS_EDUCATION_UNIT = env_str("SCHOOLS_EDUCATION_UNIT", "KBO" if ENV == "demo" else "")
if len(SCHOOLS_EDUCATION_UNIT) > 20 or any(c.isspace() for c in SCHOOLS_EDUCATION_UNIT):
    raise ConfigError(
        f"SCHOOLS_EDUCATION_UNIT must be a city unit's code (up to 20 characters, no spaces), "
        f"not {SCHOOLS_EDUCATION_UNIT!r}"
    )
# Class-code envelopes wait until this many are sealed before the mixer writes them as ballots.
SCHOOLS_MIX_BATCH = env_int("SCHOOLS_MIX_BATCH", 20, minimum=1, maximum=100_000)
# Data shipped in the repository (Pabulib, Polis, DCAT-AP shapes; see data/*/SOURCE.md). Nothing
# outside the tests reads anything beside the repository.
DATA_DIR = BASE_DIR / "data"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_str("LOG_LEVEL", "WARNING" if IS_TEST else "INFO"),
    },
    "loggers": {"django.request": {"level": "ERROR" if IS_TEST else "WARNING"}},
}
