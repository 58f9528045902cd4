"""The Content-Security-Policy holds in real Chromium: BackPath's pages work without any
inline script, and a script injected into a page is blocked."""

from __future__ import annotations

from typing import Any

import pytest


def test_an_injected_inline_script_is_blocked_on_a_page(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url)  # no bypass: the policy applies
    page = context.new_page()
    response = page.goto("/login/")
    assert (
        response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    )
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("window.injected === undefined")
    page.get_by_label("Username").fill("nobody")  # the page itself works under the policy
    context.close()
