"""Where an EHR's JWK Set may be fetched from: the allow-list's exact URLs and prefixes, https
only (plain http on loopback), no credentials in the URL."""

from __future__ import annotations

from typing import Any

import pytest

from backpath.web.ehrs.jwks_fetch import on_allow_list, url_problem

ALLOWED = ["https://keys.ehr.example/", "https://auth.ehr.example:8443/tenant-7/jwks.json"]


@pytest.fixture(autouse=True)
def allow_list(settings: Any) -> None:
    settings.JWKS_ALLOWED_URLS = ALLOWED


@pytest.mark.parametrize(
    "url",
    [
        "https://keys.ehr.example/jwks.json",
        "https://KEYS.ehr.example/a/b/jwks.json",
        "https://keys.ehr.example:443/jwks.json",
        "https://auth.ehr.example:8443/tenant-7/jwks.json",
    ],
)
def test_urls_the_allow_list_covers(url: str) -> None:
    assert on_allow_list(url) and url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://keys.ehr.example.evil.example/jwks.json",
        "https://evil.example/keys.ehr.example/jwks.json",
        "http://keys.ehr.example/jwks.json",
        "https://keys.ehr.example:8443/jwks.json",
        "https://auth.ehr.example:8443/tenant-7/jwks.json.evil",
        "https://auth.ehr.example:8443/tenant-8/jwks.json",
        "https://auth.ehr.example/tenant-7/jwks.json",
        "https://keys.ehr.example:99999/jwks.json",
    ],
)
def test_urls_the_allow_list_does_not_cover(url: str) -> None:
    assert not on_allow_list(url)
    assert url_problem(url) is not None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://keys.ehr.example/jwks.json", "https URL"),
        ("keys.ehr.example/jwks.json", "https URL"),
        ("https://user:pw@keys.ehr.example/jwks.json", "user name or password"),
        ("https://keys.ehr.example/jwks.json#k", "fragment"),
        ("http://keys.ehr.example/jwks.json", "must use https"),
        ("https://other.example/jwks.json", "allow-list"),
    ],
)
def test_each_problem_is_said(url: str, words: str) -> None:
    assert words in (url_problem(url) or "")


def test_plain_http_is_allowed_on_loopback_only_when_listed(settings: Any) -> None:
    assert "allow-list" in (url_problem("http://127.0.0.1:8080/jwks.json") or "")
    settings.JWKS_ALLOWED_URLS = ["http://127.0.0.1:8080/"]
    assert url_problem("http://127.0.0.1:8080/jwks.json") is None


def test_an_empty_allow_list_allows_nothing(settings: Any) -> None:
    settings.JWKS_ALLOWED_URLS = []
    assert not on_allow_list("https://keys.ehr.example/jwks.json")
