"""The verifier on any token at all: it answers with a refusal naming a part, never an error of
its own, whatever the header and claims hold."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.web.accounts.models import Clinic
from backpath.web.ehrs.jwt_verify import Refused, verify
from tests.web.ehr_double import BASE, ISS, SERVICE, Ehr

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)
HEADER = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(["RS384", "ES384", "none", "HS384"]) | JSON,
        "kid": st.sampled_from(["ehr-rsa-1", "ehr-ec-1", "x"]) | JSON,
        "typ": st.just("JWT") | JSON,
        "crit": JSON,
    },
)
CLAIMS = st.fixed_dictionaries(
    {},
    optional={
        "iss": st.just(ISS) | JSON,
        "aud": st.just(BASE + SERVICE) | JSON,
        "exp": st.integers() | JSON,
        "iat": st.integers() | JSON,
        "jti": st.text(max_size=8) | JSON,
        "tenant": JSON,
    },
)


@pytest.fixture
def registered(ehr: Ehr, clinic: Clinic) -> None:
    ehr.register(clinic)


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(header=HEADER | JSON, claims=CLAIMS | JSON, signature=st.sampled_from(["", "c2ln", "a"]))
def test_any_token_is_refused_with_a_named_part(
    registered: None, header: Any, claims: Any, signature: str
) -> None:
    token = f"{_b64(header)}.{_b64(claims)}.{signature}"
    try:
        verify(token, BASE + SERVICE)
    except Refused as exc:
        assert exc.field == "jwt" or exc.field.startswith(("jwt.", "jwks"))
        assert exc.message
    else:
        raise AssertionError("an unsigned token was accepted")


TIMES = st.integers(min_value=-(10**30), max_value=10**30) | st.floats(allow_nan=True) | JSON


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    exp=TIMES, iat=TIMES, nbf=st.none() | TIMES, aud=st.just(BASE + SERVICE) | JSON,
    jti=st.text(max_size=300) | JSON, tenant=st.none() | JSON,
)  # fmt: skip
def test_signed_tokens_with_any_claims_are_accepted_or_refused_by_name(
    ehr: Ehr, registered: None, exp: Any, iat: Any, nbf: Any, aud: Any, jti: Any, tenant: Any
) -> None:
    claims = {"exp": exp, "iat": iat, "aud": aud, "jti": jti}
    claims |= {k: v for k, v in {"nbf": nbf, "tenant": tenant}.items() if v is not None}
    try:
        verify(ehr.jwt(**claims), BASE + SERVICE)
    except Refused as exc:
        assert exc.field.startswith("jwt.") and exc.message
    else:  # only a token that passes every check
        assert aud == BASE + SERVICE and isinstance(jti, str) and 0 < len(jti) <= 255
        assert "tenant" not in claims
        assert isinstance(exp, int | float) and isinstance(iat, int | float)
        assert exp - iat <= 300
