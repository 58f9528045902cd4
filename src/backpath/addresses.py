"""Where this deployment is reached, from the environment (no Django here: the FHIR layer
reads it too, and the web settings take theirs from here so the default is written once).

- ``BACKPATH_BASE_URL``: the public address of the site, as patients and EHRs reach it (links
  in emails, SMART and FHIR URLs). Default: the demo's ``http://127.0.0.1:8000``.
- ``BACKPATH_FHIR_CANONICAL``: the base of the canonical URLs of BackPath's own code systems,
  extensions and questionnaires. Default: the deployment's FHIR base,
  ``BACKPATH_BASE_URL + "/fhir"``, so every canonical URL resolves on the server that
  publishes it (``<base>/CodeSystem/treatment`` is served there). Set it when one stable
  address should name BackPath's definitions across several deployments.

Both must be absolute http(s) URLs without query or fragment; a bad value raises
``InvalidInput`` naming the variable, at start-up rather than in a half-written export.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from backpath.errors import InvalidInput

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""The demo's address, used when a deployment does not set its own."""


def _http_url(name: str, value: str) -> str:
    """``value`` without a trailing slash; raises ``InvalidInput(name, ...)`` unless it is an
    absolute http(s) URL with no query, fragment, whitespace or ``|`` (canonical URLs take a
    ``|version`` suffix, so the base cannot hold one)."""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() or c == "|" for c in value)
    ):
        raise InvalidInput(
            name, f"must be an absolute http(s) URL without query or fragment, got {value!r}"
        )
    return value.rstrip("/")


def public_base_url(environ: Mapping[str, str] = os.environ) -> str:
    """The site's public address, e.g. ``https://clinic.example`` (no trailing slash)."""
    return _http_url("BACKPATH_BASE_URL", environ.get("BACKPATH_BASE_URL") or DEFAULT_BASE_URL)


def fhir_server_base(environ: Mapping[str, str] = os.environ) -> str:
    """This deployment's FHIR base, where its FHIR API answers: the public address + ``/fhir``."""
    return public_base_url(environ) + "/fhir"


def fhir_canonical_base(environ: Mapping[str, str] = os.environ) -> str:
    """The base of BackPath's canonical URLs, e.g. ``https://clinic.example/fhir``."""
    explicit = environ.get("BACKPATH_FHIR_CANONICAL")
    if explicit:
        return _http_url("BACKPATH_FHIR_CANONICAL", explicit)
    return fhir_server_base(environ)
