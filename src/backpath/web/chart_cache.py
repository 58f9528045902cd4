"""Charts drawn once per distinct data: an SVG is kept in the cache under a hash of what it was
drawn from, so a page shows the same chart again without drawing it (matplotlib takes tens
of milliseconds a chart). A new diary entry or new figures change the data, hence the key.
The charts have a cache of their own (``charts``), so that they never push out the rate-limit
counters of the default cache."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches

SECONDS = 7 * 24 * 3600


def cached_svg(draw: Callable[..., str], *args: Any) -> str:
    key = "svg:" + hashlib.sha256(repr((draw.__module__, draw.__name__, args)).encode()).hexdigest()
    charts = caches["charts"]
    svg = charts.get(key)
    if svg is None:
        svg = draw(*args)
        charts.set(key, svg, SECONDS)
    return str(svg)
