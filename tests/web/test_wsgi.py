"""Each server process loads every view up front and freezes it out of the collector."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_a_server_process_loads_every_view_and_freezes_it_out_of_the_collector() -> None:
    code = (
        "import gc, sys\n"
        "assert gc.get_freeze_count() == 0\n"
        "import backpath.web.wsgi\n"
        "print(gc.get_freeze_count(), 'backpath.web.plans.views' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backpath.web.settings"}
    env.pop("DATABASE_URL", None)  # importing touches no database
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    frozen, views = out.stdout.split()
    assert int(frozen) > 100_000 and views == "True"
