"""``backpath createclinic``: how a real clinic starts (the demo has its own command).

It migrates the database the server uses, creates the clinic and its first lead without a
password, emails the lead a one-time link to choose one and prints the link too, for a server
without mail. The link is signed with the server's ``SECRET_KEY``, so the command needs the
same environment as ``backpath serve`` (or the demo's data folder, whose key it reads).
"""

from __future__ import annotations

from typing import Annotated

import typer

from backpath.cli.django_setup import setup_django, use_server_secret_key
from backpath.errors import database_error


def createclinic(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The clinic's name")],
    lead_email: Annotated[str, typer.Option("--lead-email", help="The first clinic lead's email")],
    lead_name: Annotated[str, typer.Option("--lead-name", help="The lead's full name")] = "",
    phone: Annotated[
        str, typer.Option("--phone", help="The clinic's phone number, shown beside urgent advice")
    ] = "",
) -> None:
    """Create a clinic and its first lead, who gets a one-time link to choose a password."""
    use_server_secret_key("so the emailed link works there")
    setup_django()
    from django.core.management import call_command
    from django.db import DatabaseError

    from backpath.reports.account_text import expiry_words
    from backpath.web.logins.lifecycle import create_clinic

    try:
        call_command("migrate", interactive=False, verbosity=0)
        lead, link = create_clinic(name, lead_email, lead_name, phone)
    except DatabaseError as exc:
        raise database_error(exc) from None
    typer.echo(f"Clinic {lead.clinic} created; its lead is {lead.username}.")
    typer.echo(f"Emailed {lead.email} a link to choose a password (works once, until "
               f"{expiry_words(link.expires)}):")  # fmt: skip
    typer.echo(link.url)
