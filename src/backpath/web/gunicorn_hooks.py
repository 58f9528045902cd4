"""gunicorn hooks (``--config python:backpath.web.gunicorn_hooks``): the background worker
lives and dies with the web server, so ``make run`` stays one command.

``backpath demo`` and ``backpath serve`` set ``BACKPATH_WORKER=1`` unless told
``--no-worker`` (then run ``backpath worker`` on its own, on as many machines as needed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

_worker: subprocess.Popen[bytes] | None = None


def when_ready(server: Any) -> None:
    global _worker
    if os.environ.get("BACKPATH_WORKER") == "1":
        _worker = subprocess.Popen([sys.executable, "-m", "backpath.web", "work"])
        server.log.info("BackPath background worker started (pid %s)", _worker.pid)


def on_exit(server: Any) -> None:
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _worker.kill()
