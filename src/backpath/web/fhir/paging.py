"""Pages of a search or ``$everything``: ``_count`` entries from an offset, and the links.

The offset travels in ``_page``, a token signed with the server's key (Django's signing)
that also carries a digest of the search it belongs to (the path and its filter
parameters). Only the server writes it, into ``next`` and ``previous`` links: a token that
was altered, made up, or taken to another search is a 400, so paging cannot be used to run
arbitrary offsets, and every page is authorised and audited afresh like the first.

``_count`` defaults to ``DEFAULT_COUNT`` and is lowered to ``MAX_COUNT``; ``_count=0``
gives the total alone. Links are absolute and carry the parameters the server used (unknown
ones left out), ``_count`` and, past the first page, ``_page``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from django.core import signing
from fhir.resources.R4B.bundle import BundleLink

from backpath.errors import InvalidInput
from backpath.interop.fhir_search import page_size
from backpath.interop.resource_versions import digest

DEFAULT_COUNT = 100
MAX_COUNT = 500
SALT = "backpath.fhir.page"
PAGING_PARAMS = frozenset({"_count", "_page"})
T = TypeVar("T")

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Page:
    """Where the page starts and how many entries it holds, for one search."""

    path: str
    """The search's address below the base, e.g. ``Observation`` or ``Patient/12/$everything``."""
    params: tuple[tuple[str, str], ...]
    """The filter parameters the server used, in the order given."""
    offset: int
    count: int

    @property
    def key(self) -> str:
        return search_key(self.path, self.params)

    def cut(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.count])

    def links(self, base_url: str, total: int) -> list[BundleLink]:
        """self, and next and previous where there are such pages."""
        found = [BundleLink(relation="self", url=self.url(base_url, self.offset))]
        if self.count and self.offset + self.count < total:
            found.append(
                BundleLink(relation="next", url=self.url(base_url, self.offset + self.count))
            )
        if self.count and self.offset > 0:
            previous = max(0, min(self.offset, total) - self.count)
            found.append(BundleLink(relation="previous", url=self.url(base_url, previous)))
        return found

    def url(self, base_url: str, offset: int) -> str:
        query = [*self.params, ("_count", str(self.count))]
        if offset:
            query.append(("_page", page_token(offset, self.key)))
        return f"{base_url}/{self.path}?{urlencode(query)}"


def search_key(path: str, params: Params) -> str:
    return digest([path, sorted(params)])


def page_token(offset: int, key: str) -> str:
    """The same token for the same page of the same search (no time in it: links are stable)."""
    return signing.Signer(salt=SALT).sign_object([offset, key])


def read_page(path: str, params: Params, count: str | None, token: str | None) -> Page:
    """The page a request asks for (``_count`` and ``_page`` as given, or None).

    Raises ``InvalidInput`` naming ``_count`` or ``_page``.
    """
    size = page_size("_count", count, DEFAULT_COUNT, MAX_COUNT)
    page = Page(path, tuple(params), 0, size)
    if token is None:
        return page
    try:
        offset, key = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        raise InvalidInput(
            "_page", "not a page link of this server; follow the next and previous links as given."
        ) from None
    if key != page.key or not isinstance(offset, int) or offset < 0:
        raise InvalidInput(
            "_page", "this page link belongs to another search; follow the links of this one."
        )
    return Page(path, tuple(params), offset, size)
