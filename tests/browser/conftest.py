"""Headless Chromium (Debian's package) driven by Playwright; no browser download.

Each page is watched: a console error or a request to any host but the test server fails
the test. Screenshots go to ``test-artifacts/screenshots/``.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.scoring.conftest import _load_and_score, data_dir  # noqa: F401

CHROMIUM = os.environ.get("TPI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not _chromium_available():
        if os.environ.get("TPI_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} but TPI_REQUIRE_BROWSER is set")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the main thread; the ORM calls that
    # fixtures make on that thread are still synchronous and safe. Only while browsing.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class WatchedPage:
    """A page that records console errors and any request leaving the test server."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        allowed = urlparse(base_url).netloc

        def on_console(message):
            if message.type == "error":
                self.console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

        def guard(route):
            url = route.request.url
            if urlparse(url).netloc not in {allowed, ""} and not url.startswith("data:"):
                self.foreign_requests.append(url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", guard)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path, wait_until="networkidle")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], "requests left the test server"
        assert self.console_errors == [], "console errors"


@pytest.fixture
def watched_page(browser, live_server) -> Iterator[WatchedPage]:
    from places.services import geography_load

    geography_load()  # live-server tests are transactional: make sure the data are there
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watched = WatchedPage(page, live_server.url)
    yield watched
    context.close()


@pytest.fixture
def scored_site(watched_page, data_dir):  # noqa: F811 (the real files, LSOAs cut: scoring's)
    """The watched page over a live server whose database holds geography and TPI 2024 scores."""
    from places.services import geography_load

    geography_load()
    _load_and_score(data_dir)
    return watched_page
