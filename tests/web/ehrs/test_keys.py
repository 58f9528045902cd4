"""Which keys of a JWK Set BackPath verifies with: public RSA (2048+) and EC P-384 signing keys
with a kid; private or symmetric material refuses the whole set."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import ECKey, RSAKey

from backpath.errors import InvalidInput
from backpath.web.ehrs.keys import public_keys, public_set
from tests.web.ehr_double import ec_key, public, rsa_key


def test_rsa_and_p384_keys_are_used_by_kid() -> None:
    keys = public_keys(public(rsa_key(), ec_key()))
    assert set(keys) == {"ehr-rsa-1", "ehr-ec-1"}
    assert not any(key.is_private for key in keys.values())
    assert public_set(keys) == public(rsa_key(), ec_key())


def test_keys_for_other_uses_algorithms_or_curves_are_ignored() -> None:
    p256 = ECKey.generate_key("P-256", parameters={"kid": "p256"}).as_dict(private=False)
    enc = rsa_key().as_dict(private=False) | {"kid": "enc", "use": "enc"}
    rs256 = rsa_key().as_dict(private=False) | {"kid": "rs256", "alg": "RS256"}
    no_kid = {k: v for k, v in ec_key().as_dict(private=False).items() if k != "kid"}
    keys = public_keys({"keys": [p256, enc, rs256, no_kid, rsa_key().as_dict(private=False)]})
    assert set(keys) == {"ehr-rsa-1"}


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        ([], "jwks", "JWK Set"),
        ({"keys": []}, "jwks.keys", "empty"),
        ({"keys": ["x"]}, "jwks.keys[0]", "JSON object"),
        ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "s"}]}, "jwks.keys[0]", "symmetric"),
        (
            {"keys": [{"kty": "EC", "crv": "P-384", "x": "a", "y": "b", "d": "c", "kid": "e"}]},
            "jwks.keys[0]",
            "private key material (d)",
        ),
        (
            {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "o"}]},
            "jwks",
            "no key BackPath can use",
        ),
        ({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "short"}]}, "jwks.keys[0]", ""),
    ],
    ids=[
        "not a set",
        "no keys",
        "not a key",
        "symmetric",
        "private",
        "only unusable",
        "broken RSA",
    ],
)
def test_a_bad_set_is_refused_naming_where(document: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        public_keys(document)
    assert caught.value.field == field
    assert words in caught.value.message


@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
def test_a_private_rsa_key_and_a_short_one_are_refused() -> None:
    with pytest.raises(InvalidInput, match="private key material"):
        public_keys({"keys": [rsa_key().as_dict(private=True)]})
    short = RSAKey.generate_key(1024, parameters={"kid": "short"}, private=False)
    with pytest.raises(InvalidInput, match="shorter than 2048"):
        public_keys({"keys": [short.as_dict(private=False)]})


def test_a_kid_twice_is_refused() -> None:
    twice = [
        rsa_key().as_dict(private=False),
        ec_key().as_dict(private=False) | {"kid": "ehr-rsa-1"},
    ]
    with pytest.raises(InvalidInput, match="repeats the kid"):
        public_keys({"keys": twice})
