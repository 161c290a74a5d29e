"""Browser fixtures: one headless Debian Chromium per test module, a fresh
browser context (its own storage, like a separate device) per page.

Module scope, not session: Playwright's sync API keeps an event loop running
in this thread while it is open, and the asyncio tests of other folders
need the thread's loop free once the browser tests are done."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, expect, sync_playwright

from tests.e2e.views import CHROMIUM, CHROMIUM_ARGS

# Live updates are coalesced every ~100 ms; a view that has not caught up in
# 5 s is broken, not slow. Tests that promise "within a second" say so.
expect.set_options(timeout=5_000)

NewContext = Callable[..., BrowserContext]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """`new_context(width, height, locale="en-US")`: a separate device."""
    opened: list[BrowserContext] = []

    def make(
        width: int = 1280, height: int = 800, locale: str = "en-US", **extra: Any
    ) -> BrowserContext:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale, **extra
        )
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()
