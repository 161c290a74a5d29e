"""Driving the four views as people do: by their labels and roles, with
`expect` waiting for what the page shows (never sleeps)."""

import gzip
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
DIST = ROOT / "client" / "dist"
SHOTS = ROOT / "test-artifacts" / "screenshots"

PHONE = ViewportSize(width=360, height=740)
FULL_HD = ViewportSize(width=1920, height=1080)
HD = ViewportSize(width=1280, height=720)


def screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated through the driver, not added as a <script>: the server's
    # Content-Security-Policy rightly refuses inline scripts.
    page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
        }"""
    )
    return found


def open_view(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url)
    return page


def card(page: Page, proposition_id: str) -> Any:
    return page.locator(f'article[data-proposition="{proposition_id}"]')


def join_phone(
    context: BrowserContext,
    url: str,
    group: str = "civil_society",
    channel: str = "In the room",
    name: str = "",
) -> Page:
    """Opens the join link and fills the form in English."""
    page = open_view(context, url)
    page.get_by_label("Stakeholder group").select_option(group)
    page.get_by_label(channel).check()
    if name:
        page.get_by_label(re.compile("^Name")).fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".whoami")).not_to_be_empty()
    return page


def rate(page: Page, proposition_id: str, value: str, why: str = "") -> None:
    """Rates and waits for the server's ack (the button shows as pressed)."""
    prop = card(page, proposition_id)
    if why:
        prop.get_by_label(re.compile("^Why")).fill(why)
    button = prop.locator(f'button[data-value="{value}"]')
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def console_click(console: Page, proposition_id: str, label: str) -> None:
    card(console, proposition_id).get_by_role("button", name=label, exact=True).click()


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))
