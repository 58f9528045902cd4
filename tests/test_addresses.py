"""Where the deployment is reached: the public address and the FHIR canonical base, one rule
each, read from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backpath.addresses import (
    DEFAULT_BASE_URL,
    fhir_canonical_base,
    fhir_server_base,
    public_base_url,
)
from backpath.errors import InvalidInput


def test_with_nothing_set_the_canonical_base_is_the_demos_own_fhir_base() -> None:
    assert public_base_url({}) == DEFAULT_BASE_URL == "http://127.0.0.1:8000"
    assert fhir_canonical_base({}) == fhir_server_base({}) == "http://127.0.0.1:8000/fhir"


def test_the_canonical_base_follows_the_public_address_so_its_urls_resolve_there() -> None:
    env = {"BACKPATH_BASE_URL": "https://clinic.example/"}
    assert public_base_url(env) == "https://clinic.example"
    assert fhir_canonical_base(env) == "https://clinic.example/fhir"


def test_an_explicit_canonical_base_wins_and_the_server_base_stays() -> None:
    env = {
        "BACKPATH_BASE_URL": "https://clinic.example",
        "BACKPATH_FHIR_CANONICAL": "https://fhir.backpath.org/r4/",
    }
    assert fhir_canonical_base(env) == "https://fhir.backpath.org/r4"
    assert fhir_server_base(env) == "https://clinic.example/fhir"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BACKPATH_FHIR_CANONICAL", "clinic.example/fhir"),
        ("BACKPATH_FHIR_CANONICAL", "ftp://clinic.example/fhir"),
        ("BACKPATH_FHIR_CANONICAL", "https://clinic.example/fhir?x=1"),
        ("BACKPATH_FHIR_CANONICAL", "https://clinic.example/fhir#top"),
        ("BACKPATH_FHIR_CANONICAL", "https://clinic.example/my fhir"),
        ("BACKPATH_FHIR_CANONICAL", "https://clinic.example/fhir|1"),
        ("BACKPATH_BASE_URL", "clinic.example"),
    ],
)
def test_a_bad_address_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        fhir_canonical_base({name: value})
    assert caught.value.field == name
    assert "absolute http(s) URL" in caught.value.message


def test_the_web_settings_refuse_a_bad_public_address_at_start_up(tmp_path: Path) -> None:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "PYTHONPATH") if k in os.environ}
    env |= {"DEBUG": "1", "BACKPATH_DATA_DIR": str(tmp_path), "BACKPATH_BASE_URL": "clinic"}
    result = subprocess.run(
        [sys.executable, "-c", "import backpath.web.settings"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured: BACKPATH_BASE_URL: must be an absolute http(s) URL" in (
        result.stderr
    )
