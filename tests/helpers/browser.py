"""Chromium, driven through Playwright, and what the browser tests assert with it."""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from pathlib import Path

# Debian's Chromium, which the browser tests drive through Playwright (browser downloads are not reachable here).
CHROMIUM = Path(os.environ.get("CROSSROADS_CHROMIUM", "/usr/bin/chromium"))
# Flags from the machine's notes: without the background-networking ones, Chromium floods the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def assert_docs_render_from_the_host_alone(browser, base: str, session: str, operations: int) -> None:
    """Open Swagger UI at `base`/api/docs in `browser` (Playwright's Chromium) with the `session` cookie
    ("name=value"), try out the first operation, and assert: `operations` operations listed, the one tried answered
    200, every request stayed on the host, and Chromium's console reports no CSP block and no error."""
    host = urllib.parse.urlsplit(base).netloc
    requested, console = [], []
    context = browser.new_context()
    try:
        name, value = session.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": base}])
        page = context.new_page()
        page.on("request", lambda sent: requested.append(sent.url))
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        response = page.goto(base + "/api/docs")
        assert response.status == 200
        assert "Content-Security-Policy" in {name.title() for name in response.headers}
        page.locator(".opblock").first.wait_for(timeout=60_000)
        assert page.locator(".opblock").count() == operations
        assert "Shop API" in page.locator(".info .title").inner_text()
        # Open an operation and try it out: more of the UI, and its styles, come into play.
        page.locator(".opblock-summary").first.click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        page.locator(".live-responses-table tbody .response-col_status").first.wait_for()
        assert "200" in page.locator(".live-responses-table tbody .response-col_status").first.inner_text()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    outside = [url for url in requested if urllib.parse.urlsplit(url).netloc != host and not url.startswith("data:")]
    assert outside == [], outside
    assert [line for line in console if "Content Security Policy" in line or "error" in line.split(":")[0]] == []
