"""``backpath register-smart``: let an EHR launch BackPath (SMART on FHIR) for a clinic, as the
lead's EHR launch page does. The client secret is read from a file (or ``-`` for standard
input), never from the command line where the shell history and the process list would keep
it; it is sealed with the server's ``SECRET_KEY``, so the command needs the same environment as
``backpath serve`` (or the demo's data folder, whose key it reads)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from backpath.cli.django_setup import setup_django, use_server_secret_key
from backpath.errors import InvalidInput, database_error

OPTIONS = {"client_secret": "client-secret-file"}
"""The registration's field names that are not the option's name with dashes."""


def _secret(path: str) -> str:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = f"cannot read {path}: {type(exc).__name__}"
        raise InvalidInput("--client-secret-file", why) from None
    if not text.strip():
        raise InvalidInput("--client-secret-file", f"{path} is empty; expected the secret")
    return text.strip()


def register_smart(
    clinic: Annotated[int, typer.Option("--clinic", help="The clinic's id")],
    iss: Annotated[str, typer.Option("--iss", help="The EHR's FHIR base URL, as it sends it")],
    client_id: Annotated[str, typer.Option("--client-id", help="BackPath's client id at the EHR")],
    client_secret_file: Annotated[
        str, typer.Option("--client-secret-file", help="A file holding the client secret, or -")
    ],
    name: Annotated[str, typer.Option("--name", help="What the clinic calls the EHR")] = "",
    scopes: Annotated[str, typer.Option("--scopes", help="Space-separated OAuth scopes")] = "",
) -> None:
    """Register an EHR's SMART endpoint for a clinic, so it can launch BackPath."""
    secret = _secret(client_secret_file)
    use_server_secret_key("so the server can read the sealed client secret")
    setup_django()
    from django.db import DatabaseError

    from backpath.web.accounts.models import Clinic
    from backpath.web.audit.record import record_event
    from backpath.web.launch import registration
    from backpath.web.launch.addresses import launch_url, redirect_uri

    try:
        found = Clinic.objects.filter(pk=clinic).first()
        if found is None:
            raise InvalidInput("clinic", f"no clinic has id {clinic}")
        ehr = registration.register(
            found, name=name or urlsplit(iss.strip()).hostname or iss, iss=iss,
            client_id=client_id, client_secret=secret, scopes=scopes,
        )  # fmt: skip
        detail = f"SMART EHR {ehr.name} registered ({ehr.iss}) by register-smart"
        record_event(None, "create", ehr, clinic=found, detail=detail)
    except InvalidInput as exc:
        option = OPTIONS.get(exc.field, exc.field.replace("_", "-"))
        raise InvalidInput(f"--{option}", exc.message) from None
    except DatabaseError as exc:
        raise database_error(exc) from None
    typer.echo(f"{ehr.name} may now launch BackPath for {found} (registration {ehr.pk}).")
    typer.echo(f"Give the EHR's team: launch URL {launch_url()}")
    typer.echo(f"                     redirect URI {redirect_uri()}")
