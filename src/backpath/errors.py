"""The one error tree of BackPath: every error a user (or a system calling BackPath) can cause.

    BackPathError
    ├── InvalidInput          bad data at an edge (intake, answers, file, request); names the field
    │   └── UnreadableBody    an API request body that is not JSON (field ``body``)
    ├── KnowledgeBaseError    a knowledge or instrument data file failed validation
    ├── EditRefused           a plan change that breaks a safety rule or does not apply
    │   └── StaleVersion      the clinician edited a version that is no longer the latest
    ├── Conflict              a request the record's state rules out (a login already active)
    ├── FhirError             a FHIR request the caller got wrong; answered as an OperationOutcome
    ├── FetchError            a request to an EHR's server that could not be answered
    │   └── JwksUnavailable   an EHR's JWK Set (its public keys) could not be obtained
    ├── PrefetchUnavailable   CDS Hooks data neither prefetched nor fetchable (HTTP 412)
    ├── CallerRefused         credentials BackPath does not accept (a CDS client's signed JWT)
    ├── LaunchRefused         an EHR's SMART launch that cannot go on; ``reason`` says why
    └── SecretUnreadable      a stored secret sealed under a key this deployment no longer has

Edges (CLI, API, forms) turn these into ``field: message`` for the user, never a traceback:
``field_error`` does it for a pydantic ``ValidationError``; ``database_error`` for a database
that is missing or not migrated at the command line. No Django here: the domain imports this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pydantic import ValidationError


class BackPathError(Exception):
    """Base of every error BackPath raises on purpose."""


class InvalidInput(BackPathError):
    """Input that breaks the contract; ``field`` is a dotted path such as ``pain.nrs_now``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field or "(input)"
        self.message = message
        super().__init__(f"{self.field}: {message}")


class UnreadableBody(InvalidInput):
    """An API request body that is not JSON (ninja turns parser errors into a bare 400; the
    API answers 422 with field ``body``)."""

    def __init__(self, message: str) -> None:
        super().__init__("body", message)


class KnowledgeBaseError(BackPathError):
    """A data file that fails validation or cross-reference checks; names file and field."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {message}")


class Conflict(BackPathError):
    """What was asked clashes with the record as it is (HTTP 409): e.g. inviting a patient
    whose login is already active."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class EditRefused(BackPathError):
    """The change would break a safety rule or does not apply to this version."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleVersion(EditRefused):
    """The clinician edited a version that is no longer the latest."""

    def __init__(self, latest: int) -> None:
        super().__init__(
            f"The plan changed while you were looking at it: version {latest} is now the "
            "latest. Nothing was saved; check the current version and try again."
        )


class FhirError(BackPathError):
    """An error the caller of the FHIR API caused; the view answers it as an OperationOutcome
    with HTTP ``status`` and the FHIR issue-type ``code``."""

    def __init__(
        self, status: int, code: str, diagnostics: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.headers = headers or {}


class FetchError(BackPathError):
    """A FHIR query that could not be answered; the message says why, in plain words."""


class JwksUnavailable(FetchError):
    """The EHR's keys could not be obtained; the message says why, without key material."""


class PrefetchUnavailable(BackPathError):
    """Required data neither prefetched nor fetchable: HTTP 412. ``missing``: key -> why."""

    def __init__(self, missing: Mapping[str, str]) -> None:
        self.missing = dict(missing)
        reasons = "; ".join(f"{key}: {why}" for key, why in self.missing.items())
        super().__init__(f"missing prefetch: {reasons}")


# pydantic's names for its own validator steps; they are not part of the user's path.
_INTERNAL_STEPS = ("function-after", "function-before", "function-wrap", "function-plain")


def field_path(loc: Iterable[int | str], prefix: str = "", *, dotted_indexes: bool = False) -> str:
    """A pydantic error location as the user's path: ``('answers', 2, 'value')`` ->
    ``answers[2].value`` (``answers.2.value`` with ``dotted_indexes``, as knowledge files
    name their fields). ``prefix`` goes in front, joined by a dot."""
    out = prefix
    for part in loc:
        if isinstance(part, int) and not dotted_indexes:
            out += f"[{part}]"
        elif str(part) in _INTERNAL_STEPS or "[" in str(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


class FieldError(NamedTuple):
    """The first error of a pydantic ``ValidationError``, as an edge shows it."""

    field: str
    """The path, e.g. ``pain.nrs_now`` or ``answers[2]``; empty for the whole input."""
    message: str
    """pydantic's message, on one line."""
    kind: str
    """pydantic's error type, e.g. ``missing`` or ``literal_error``."""
    input: Any
    """The offending value."""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def field_error(
    exc: ValidationError, prefix: str = "", *, dotted_indexes: bool = False
) -> FieldError:
    """The first error of ``exc`` as ``field: message`` (see ``field_path``)."""
    err = exc.errors()[0]
    return FieldError(
        field_path(err["loc"], prefix, dotted_indexes=dotted_indexes),
        " ".join(str(err["msg"]).split()),
        err["type"],
        err["input"],
    )


def database_error(exc: BaseException) -> InvalidInput:
    """A database error at the command line (missing, unreachable or not migrated) as one
    line naming what to do; the CLI prints it and exits 2."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return InvalidInput(
        "database",
        f"{first} (check DATABASE_URL, and migrate: `backpath serve` migrates before it starts)",
    )


class CallerRefused(BackPathError):
    """A caller's credentials BackPath does not accept: ``field`` (``jwt.alg``, ``jwt.aud``,
    ``jwks``...) and why, in words that carry no key material. ``registration``: the EHR's
    registration when the issuer was known (a web model; Any here, which has no Django)."""

    def __init__(self, field: str, message: str, registration: Any = None) -> None:
        self.field = field
        self.message = message
        self.registration = registration
        super().__init__(f"{field}: {message}")


class LaunchRefused(BackPathError):
    """An EHR launch that cannot go on. ``reason`` is a key of the launch's refusal table
    (``backpath.web.launch.refusals.REASONS``); ``detail`` says what went wrong in technical
    words (shown to the clinician and kept in the audit trail, never a secret or a token)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = " ".join(detail.split())[:240]
        super().__init__(f"{reason}: {self.detail}" if self.detail else reason)


class SecretUnreadable(BackPathError):
    """A stored secret was sealed under a key this deployment no longer has."""
