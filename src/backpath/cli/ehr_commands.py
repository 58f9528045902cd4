"""``backpath register-ehr``: an operator registers a clinic's EHR for signed CDS Hooks calls,
as a clinic lead does on the EHRs page (the same rules: ``backpath.web.ehrs.registration``).

It uses the database of ``DATABASE_URL`` (else SQLite in ``BACKPATH_DATA_DIR``), like
``backpath serve``. A bad option exits 2 with one line naming it, e.g.
``error: --jwks-url: is not on this deployment's allow-list ...``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer

from backpath.cli.app import read_json
from backpath.cli.django_setup import setup_django
from backpath.errors import InvalidInput, database_error

OPTIONS = {"name": "--name", "iss": "--iss", "jwks_url": "--jwks-url", "jwks": "--jwks",
           "tenant": "--tenant"}  # fmt: skip


def _option(exc: InvalidInput) -> InvalidInput:
    """The registration's field as the option the operator typed."""
    root = exc.field.split(".")[0].split("[")[0]
    if root not in OPTIONS:
        return exc
    return InvalidInput(OPTIONS[root] + exc.field[len(root) :], exc.message)


def _host(iss: str) -> str:
    """The default name: the issuer's host."""
    try:
        return urlsplit(iss).hostname or iss
    except ValueError:
        return iss


def register_ehr(
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's id", metavar="ID")],
    iss: Annotated[
        str, typer.Option("--iss", help="The issuer (iss) the EHR signs JWTs as", metavar="URL")
    ],
    jwks_url: Annotated[
        str,
        typer.Option(
            "--jwks-url",
            help="Where the EHR publishes its JWK Set (on BACKPATH_JWKS_ALLOWED_URLS)",
            metavar="URL",
        ),
    ] = "",
    jwks: Annotated[
        str,
        typer.Option(
            "--jwks",
            help="A file holding the EHR's JWK Set (public keys), or - for stdin",
            metavar="FILE",
        ),
    ] = "",
    tenant: Annotated[
        str,
        typer.Option(
            "--tenant", help="The tenant claim the EHR sends for this clinic, if any", metavar="T"
        ),
    ] = "",
    name: Annotated[
        str,
        typer.Option(
            "--name", help="What the clinic calls the EHR (default: the issuer's host)", metavar="N"
        ),
    ] = "",
) -> None:
    """Register a clinic's EHR: its signed CDS Hooks calls then act for that clinic."""
    if not clinic.strip().isdigit() or len(clinic.strip()) > 12:
        raise InvalidInput("--clinic", f"must be a clinic's id (a whole number), got {clinic!r}")
    if bool(jwks_url) == bool(jwks):
        raise InvalidInput("--jwks-url", "give either --jwks-url URL or --jwks FILE, not both")
    key_set = read_json(jwks, "--jwks") if jwks else None
    setup_django()
    from django.db import DatabaseError
    from django.urls import reverse

    from backpath.web.accounts.models import Clinic
    from backpath.web.ehrs.jwt_verify import audience
    from backpath.web.ehrs.registration import register
    from backpath.web.logins.lifecycle import Actor

    try:
        found = Clinic.objects.filter(pk=int(clinic)).first()
        if found is None:
            raise InvalidInput("--clinic", f"no clinic with id {clinic}")
        registration = register(
            Actor(path="backpath register-ehr", method="CLI"), found,
            name=name or _host(iss), iss=iss, jwks_url=jwks_url,
            jwks=key_set, tenant=tenant,
        )  # fmt: skip
    except InvalidInput as exc:
        raise _option(exc) from None
    except DatabaseError as exc:
        raise database_error(exc) from None
    keys = f"keys fetched from {jwks_url}" if jwks_url else (
        "stored keys " + ", ".join(registration.stored_kids))  # fmt: skip
    typer.echo(f"Registered {registration.name} for {found.name} (iss {registration.iss}; {keys}"
               f"{'; tenant ' + registration.tenant if registration.tenant else ''}).")  # fmt: skip
    typer.echo(f"Its JWTs' aud is the URL called: {audience(reverse('cds:patient-view'))}")
