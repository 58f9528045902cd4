"""Charts drawn once per distinct data: an SVG is kept in the cache under a hash of what it was
drawn from, so a page shows the same chart again without drawing it (matplotlib takes tens
of milliseconds a chart). A new diary entry or new figures change the data, hence the key."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

SECONDS = 7 * 24 * 3600


def cached_svg(draw: Callable[..., str], *args: Any) -> str:
    key = "svg:" + hashlib.sha256(repr((draw.__module__, draw.__name__, args)).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(*args)
        cache.set(key, svg, SECONDS)
    return str(svg)
