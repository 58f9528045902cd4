"""A registered EHR's JWK Set, fetched from its URL only when the deployment allows that URL.

- The allow-list is ``settings.JWKS_ALLOWED_URLS`` (``BACKPATH_JWKS_ALLOWED_URLS``): each entry
  is an exact URL, or a prefix ending in ``/`` that allows the paths under it on the same
  scheme, host and port. Plain ``http`` is refused except on a loopback address.
- A fetch has short timeouts and an overall deadline, reads at most ``MAX_BYTES``, and follows
  a redirect only to a URL that passes the same checks (at most ``MAX_REDIRECTS``).
- The usable keys (``keys.public_keys``) are kept in this process for ``CACHE_SECONDS``. A kid
  the cached set lacks may force one fetch again (key rotation), at most once per
  ``REFETCH_FLOOR_SECONDS`` per URL, so a stream of made-up kids cannot make BackPath hammer
  the EHR. A failed fetch is never answered from an expired entry: verification fails closed.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from backpath.errors import InvalidInput, JwksUnavailable
from backpath.web.ehrs.keys import PublicKey, public_keys

LOOPBACK = ("127.0.0.1", "::1", "localhost")
TIMEOUT = (3.05, 5.0)
"""Seconds to connect, and to wait for each read."""
DEADLINE_SECONDS = 8.0
MAX_BYTES = 64 * 1024
MAX_REDIRECTS = 3
CACHE_SECONDS = 300.0
REFETCH_FLOOR_SECONDS = 10.0
ALLOW_LIST = "BACKPATH_JWKS_ALLOWED_URLS"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def on_allow_list(url: str) -> bool:
    """Whether an entry of the allow-list covers ``url`` (see the module's rule)."""
    try:
        wanted = _origin(url)
        path, query = urlsplit(url).path or "/", urlsplit(url).query
        for entry in settings.JWKS_ALLOWED_URLS:
            allowed = urlsplit(entry)
            if _origin(entry) != wanted:
                continue
            prefix = allowed.path or "/"
            if prefix.endswith("/") and not allowed.query and path.startswith(prefix):
                return True
            if path == prefix and query == allowed.query:
                return True
    except ValueError:  # a malformed port
        return False
    return False


def url_problem(url: str) -> str | None:
    """Why BackPath may not fetch a JWK Set from ``url``, or None when it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an absolute https URL, e.g. https://ehr.example/.well-known/jwks.json"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    if parts.fragment:
        return "must not have a #fragment"
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        return "must use https (plain http only on this machine's loopback address)"
    if not on_allow_list(url):
        return (
            f"is not on this deployment's allow-list ({ALLOW_LIST}); ask the people who run "
            "BackPath to add it, or store the EHR's JWK Set instead"
        )
    return None


def _read(response: requests.Response, deadline: float) -> bytes:
    body = b""
    for chunk in response.iter_content(8192):
        body += chunk
        if len(body) > MAX_BYTES:
            raise JwksUnavailable(f"the JWK Set is larger than {MAX_BYTES} bytes")
        if time.monotonic() > deadline:
            raise JwksUnavailable("the JWK Set URL took too long to answer")
    return body


def _get(url: str) -> bytes:
    deadline = time.monotonic() + DEADLINE_SECONDS
    headers = {"Accept": "application/jwk-set+json, application/json"}
    with requests.Session() as session:
        for _ in range(MAX_REDIRECTS + 1):
            if problem := url_problem(url):
                raise JwksUnavailable(f"the JWK Set URL {url} {problem}")
            try:
                with session.get(url, headers=headers, timeout=TIMEOUT, allow_redirects=False,
                                 stream=True) as response:  # fmt: skip
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("Location", ""))
                        continue
                    if response.status_code != 200:
                        raise JwksUnavailable(
                            f"the JWK Set URL answered HTTP {response.status_code}"
                        )
                    return _read(response, deadline)
            except requests.RequestException as exc:
                raise JwksUnavailable(
                    f"the JWK Set URL could not be reached ({type(exc).__name__})"
                ) from None
    raise JwksUnavailable(f"the JWK Set URL redirected more than {MAX_REDIRECTS} times")


@dataclass(frozen=True)
class _Fetched:
    keys: dict[str, PublicKey]
    at: float


_cache: dict[str, _Fetched] = {}
_forced: dict[str, float] = {}
_lock = threading.Lock()


def _fetch(url: str) -> dict[str, PublicKey]:
    try:
        data = json.loads(_get(url))
    except (ValueError, RecursionError):
        raise JwksUnavailable("the JWK Set URL did not answer with JSON") from None
    try:
        keys = public_keys(data)
    except InvalidInput as exc:
        raise JwksUnavailable(f"the JWK Set was refused: {exc}") from None
    with _lock:
        _cache[url] = _Fetched(keys, time.monotonic())
    return keys


def keys_at(url: str) -> dict[str, PublicKey]:
    """The usable keys published at ``url`` (cached); ``JwksUnavailable`` says why not."""
    if problem := url_problem(url):
        raise JwksUnavailable(f"the JWK Set URL {url} {problem}")
    with _lock:
        cached = _cache.get(url)
    if cached is not None and time.monotonic() - cached.at < CACHE_SECONDS:
        return cached.keys
    return _fetch(url)


def keys_again(url: str) -> dict[str, PublicKey] | None:
    """After a kid the cached set lacks: the keys fetched anew, or None when a fetch was
    already forced for this URL within ``REFETCH_FLOOR_SECONDS``."""
    now = time.monotonic()
    with _lock:
        last = _forced.get(url)
        if last is not None and now - last < REFETCH_FLOOR_SECONDS:
            return None
        _forced[url] = now
    return _fetch(url)


def forget() -> None:
    """Empty the cache (tests; a registration changed)."""
    with _lock:
        _cache.clear()
        _forced.clear()
