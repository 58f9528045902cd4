"""The OAuth2 part of the launch, on Authlib's ``OAuth2Session``: the authorization request
(code flow, PKCE S256, ``aud`` and ``launch``), the state that binds the answer to this browser,
and the code exchanged for a token with the client secret.

State lives in the signed-in user's server-side session: one entry per launch, keyed by the
random ``state``, holding the PKCE verifier; it is taken out (single use) when the EHR answers
and works for ``BACKPATH_SMART_STATE_MINUTES``. The access token is never stored: the callback
uses it for the one Patient read and drops it.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.http import HttpRequest

from backpath.errors import SecretUnreadable
from backpath.web.launch import outbound
from backpath.web.launch.addresses import redirect_uri
from backpath.web.launch.discovery import SmartConfiguration
from backpath.web.launch.models import SmartEhr
from backpath.web.launch.refusals import Refused

FLOWS = "smart_launch_flows"
MAX_FLOWS = 5
"""Launches one browser may have open at once (older ones are dropped)."""


def lifetime_seconds() -> int:
    return int(getattr(settings, "BACKPATH_SMART_STATE_MINUTES", 10)) * 60


def _fresh(entries: dict[str, Any]) -> dict[str, Any]:
    now = time.time()
    return {k: v for k, v in entries.items() if now - float(v.get("at", 0)) < lifetime_seconds()}


def authorization_url(
    request: HttpRequest, ehr: SmartEhr, config: SmartConfiguration, launch: str
) -> str:
    """Where to send the browser, and the state remembered for the answer."""
    verifier = generate_token(64)
    client = OAuth2Session(
        client_id=ehr.client_id, scope=ehr.scopes, redirect_uri=redirect_uri(),
        code_challenge_method="S256",
    )  # fmt: skip
    url, state = client.create_authorization_url(
        config.authorization_endpoint, code_verifier=verifier, aud=ehr.iss, launch=launch
    )
    flows = _fresh(request.session.get(FLOWS) or {})
    kept = dict(sorted(flows.items(), key=lambda kv: kv[1]["at"])[-(MAX_FLOWS - 1) :])
    kept[state] = {"ehr": ehr.pk, "user": request.user.pk, "verifier": verifier,
                   "redirect_uri": redirect_uri(), "at": time.time()}  # fmt: skip
    request.session[FLOWS] = kept
    return str(url)


def take_flow(request: HttpRequest, state: str) -> dict[str, Any]:
    """The launch this answer belongs to, taken out of the session (a state works once)."""
    flows = dict(request.session.get(FLOWS) or {})
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS] = flows
    if flow is None:
        raise Refused("bad_state", "the state is unknown to this browser or was used already")
    if time.time() - float(flow["at"]) >= lifetime_seconds():
        raise Refused("expired", "the state is older than BACKPATH_SMART_STATE_MINUTES")
    if flow["user"] != request.user.pk:
        raise Refused("wrong_user", "the launch was started by another BackPath user")
    return flow


def exchange_code(
    ehr: SmartEhr, config: SmartConfiguration, flow: dict[str, Any], code: str
) -> dict[str, Any]:
    """The token response for ``code`` (client authentication with the secret, as the EHR's
    configuration says; the PKCE verifier; the same redirect URI)."""
    try:
        secret = ehr.client_secret()
    except SecretUnreadable:
        raise Refused(
            "token", "the stored client secret cannot be decrypted: register the EHR again"
        ) from None
    client = OAuth2Session(
        client_id=ehr.client_id, client_secret=secret,
        token_endpoint_auth_method=config.client_auth_method,
        redirect_uri=flow["redirect_uri"], code_challenge_method="S256",
    )  # fmt: skip
    try:
        token = client.fetch_token(
            config.token_endpoint, grant_type="authorization_code", code=code,
            code_verifier=flow["verifier"], timeout=outbound.timeout(), allow_redirects=False,
        )  # fmt: skip
    except AuthlibBaseError as exc:
        raise Refused("token", f"the token endpoint answered {exc.error}") from None
    except requests.RequestException as exc:
        raise Refused("token", f"the token endpoint failed ({type(exc).__name__})") from None
    except ValueError:
        raise Refused("token", "the token endpoint did not answer a JSON object") from None
    finally:
        client.close()
    if not isinstance(token.get("access_token"), str) or not token["access_token"]:
        raise Refused("token", "the token response has no access_token")
    if str(token.get("token_type", "")).lower() != "bearer":
        raise Refused("token", "the token response's token_type is not Bearer")
    return dict(token)
