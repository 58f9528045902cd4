"""The EHR's ``{iss}/.well-known/smart-configuration``: where its authorization and token
endpoints are, and whether it offers what BackPath needs (the authorization-code flow, PKCE
with S256, a client secret). Kept in the cache for ``BACKPATH_SMART_CACHE_SECONDS``, so a busy
clinic does not ask the EHR at every launch; a failed fetch is never cached."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from pydantic import BaseModel, ConfigDict, ValidationError

from backpath.errors import field_error
from backpath.web.launch import outbound
from backpath.web.launch.refusals import Refused

WELL_KNOWN = "/.well-known/smart-configuration"
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
"""How BackPath can send its secret, in the order it prefers them."""


class SmartConfiguration(BaseModel):
    """The parts of the SMART configuration BackPath uses (others are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    authorization_endpoint: str
    token_endpoint: str
    code_challenge_methods_supported: list[str]
    response_types_supported: list[str] | None = None
    grant_types_supported: list[str] | None = None
    token_endpoint_auth_methods_supported: list[str] | None = None
    issuer: str | None = None
    jwks_uri: str | None = None

    @property
    def client_auth_method(self) -> str:
        """``client_secret_basic`` unless the EHR lists only ``client_secret_post``."""
        offered = self.token_endpoint_auth_methods_supported
        return next(m for m in CLIENT_AUTH_METHODS if offered is None or m in offered)


def configuration_url(iss: str) -> str:
    return iss.rstrip("/") + WELL_KNOWN


def read_configuration(data: Any) -> SmartConfiguration:
    """Check a SMART configuration document; ``Refused('discovery'|'unsupported')`` names
    what is missing or not offered."""
    if not isinstance(data, dict):
        raise Refused("discovery", "the SMART configuration is not a JSON object")
    try:
        config = SmartConfiguration.model_validate(data)
    except ValidationError as exc:
        raise Refused("discovery", f"SMART configuration: {field_error(exc)}") from None
    if "S256" not in config.code_challenge_methods_supported:
        raise Refused("unsupported", "code_challenge_methods_supported does not include S256")
    responses = config.response_types_supported
    if responses is not None and "code" not in responses:
        raise Refused("unsupported", "response_types_supported does not include code")
    grants = config.grant_types_supported
    if grants is not None and "authorization_code" not in grants:
        raise Refused("unsupported", "grant_types_supported does not include authorization_code")
    offered = config.token_endpoint_auth_methods_supported
    if offered is not None and not set(offered) & set(CLIENT_AUTH_METHODS):
        raise Refused(
            "unsupported",
            "token_endpoint_auth_methods_supported offers neither client_secret_basic nor "
            "client_secret_post",
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = getattr(config, name)
        if url is not None and not outbound.secure_address(url):
            raise Refused("discovery", f"{name} {url!r} is not an https address")
    return config


def _key(iss: str) -> str:
    return "smart-configuration:" + hashlib.sha256(iss.encode("utf-8")).hexdigest()


def smart_configuration(iss: str) -> SmartConfiguration:
    """The registered issuer's checked configuration, from the cache or the EHR."""
    cached = cache.get(_key(iss))
    if isinstance(cached, dict):
        try:
            return SmartConfiguration.model_validate(cached)
        except ValidationError:
            pass
    config = read_configuration(outbound.get_json(configuration_url(iss), reason="discovery"))
    seconds = int(getattr(settings, "BACKPATH_SMART_CACHE_SECONDS", 300))
    if seconds > 0:
        cache.set(_key(iss), config.model_dump(), seconds)
    return config
