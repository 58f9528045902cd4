"""Which keys of an EHR's JWK Set BackPath will verify CDS Hooks JWTs with.

The rules, for a stored set and a fetched one alike:

- Refused outright (the whole set): private key material (``d``, ``p``, ``q``...) or a
  symmetric key (``kty: oct``). A set that carries them is a mistake on the EHR's side that
  must not be stored or trusted.
- Used: RSA keys of 2048 bits or more and EC keys on P-384, each with a ``kid`` (the JWT's
  ``kid`` chooses the key), whose ``use`` (if given) is ``sig`` and whose ``alg`` (if given) is
  RS384 or ES384.
- Ignored: any other key (for encryption, another algorithm or curve, no ``kid``); a set with
  no key left to use is refused.

Parsing and key checks are joserfc's; this module only says which keys qualify.
"""

from __future__ import annotations

from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from backpath.errors import InvalidInput

ALGORITHMS = {"RS384": "RSA", "ES384": "EC"}
"""The only JWS algorithms accepted (the CDS Hooks specification recommends both), with the
key type each needs."""
CURVE = "P-384"
MIN_RSA_BITS = 2048
MAX_KEYS = 20
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

PublicKey = RSAKey | ECKey


def _usable(key: dict[str, Any]) -> bool:
    if key.get("kty") not in ("RSA", "EC") or not isinstance(key.get("kid"), str):
        return False
    if not key["kid"] or key.get("use", "sig") != "sig":
        return False
    if "alg" in key and (
        not isinstance(key["alg"], str) or ALGORITHMS.get(key["alg"]) != key["kty"]
    ):
        return False
    return key["kty"] == "RSA" or key.get("crv") == CURVE


def _import(key: dict[str, Any], where: str) -> PublicKey:
    try:
        imported: PublicKey = (RSAKey if key["kty"] == "RSA" else ECKey).import_key(key)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidInput(where, f"is not a valid {key['kty']} public key ({exc})") from None
    if imported.is_private:
        raise InvalidInput(where, "holds private key material; give only the public key")
    if key["kty"] == "RSA" and imported.raw_value.key_size < MIN_RSA_BITS:
        raise InvalidInput(where, f"is an RSA key shorter than {MIN_RSA_BITS} bits")
    return imported


def public_keys(data: object, field: str = "jwks") -> dict[str, PublicKey]:
    """The usable keys of a JWK Set by ``kid``; ``InvalidInput`` (naming ``field`` and the
    key) when the set is malformed, carries private or symmetric keys, or has none to use."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise InvalidInput(field, 'must be a JWK Set: a JSON object {"keys": [...]}')
    found = data["keys"]
    if not found:
        raise InvalidInput(f"{field}.keys", "is empty; give the EHR's public signing keys")
    if len(found) > MAX_KEYS:
        raise InvalidInput(f"{field}.keys", f"holds more than {MAX_KEYS} keys")
    keys: dict[str, PublicKey] = {}
    for index, key in enumerate(found):
        where = f"{field}.keys[{index}]"
        if not isinstance(key, dict):
            raise InvalidInput(where, "must be a JSON object (a JWK)")
        if key.get("kty") == "oct":
            raise InvalidInput(where, "is a symmetric key; CDS Hooks JWTs are never HMAC-signed")
        if private := [name for name in PRIVATE_MEMBERS if name in key]:
            raise InvalidInput(
                where, f"holds private key material ({', '.join(private)}); give only the "
                "public key",
            )  # fmt: skip
        if not _usable(key):
            continue
        if key["kid"] in keys:
            raise InvalidInput(where, f"repeats the kid {key['kid']!r}; each kid must be unique")
        keys[key["kid"]] = _import(key, where)
    if not keys:
        raise InvalidInput(
            field, "has no key BackPath can use: it needs RSA (2048 bits or more) or EC P-384 "
            "public signing keys, each with a kid, for RS384 or ES384",
        )  # fmt: skip
    return keys


def public_set(keys: dict[str, PublicKey]) -> dict[str, Any]:
    """The usable keys as a JWK Set of public members only (what BackPath stores)."""
    return {"keys": [key.as_dict(private=False) for key in keys.values()]}
