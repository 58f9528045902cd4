"""The EHR's client secret, kept encrypted at rest.

BackPath is a confidential client: it must send the secret itself to the EHR's token endpoint
(HTTP Basic, or in the form body), so the secret cannot be stored as a one-way hash like a
password or an API token. It is sealed with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) under a key derived from the deployment's ``SECRET_KEY`` with
Django's ``salted_hmac``, so a database dump or backup alone does not reveal it. Keys in
``SECRET_KEY_FALLBACKS`` still open older secrets after a key rotation; a secret sealed under
a key that is gone cannot be opened, and the lead registers the EHR again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

from backpath.errors import SecretUnreadable

SALT = "backpath.web.launch.client_secrets"


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(salted_hmac(SALT, "fernet", secret=key,
                                                        algorithm="sha256").digest()))
            for key in keys
        ]
    )  # fmt: skip


def seal(secret: str) -> str:
    """The secret encrypted for storage (Fernet token text)."""
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> str:
    """The secret back; raises ``SecretUnreadable`` when no key of this deployment opens it."""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("the client secret cannot be decrypted with SECRET_KEY") from exc
