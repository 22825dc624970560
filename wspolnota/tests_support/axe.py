"""axe-core checks for browser tests: every app's pages go through the same WCAG 2.1 A/AA rules."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_axe = Axe()


def axe_violations(page: Any) -> str:
    """The axe report for the page as it is now, or an empty string when nothing is violated."""
    result = _axe.run(page, options=AXE_OPTIONS)
    return result.generate_report() if result.violations_count else ""


def check_urls(page: Any, urls: list[str]) -> list[str]:
    """Open each URL and collect the axe reports of the pages that violate WCAG 2.1 A/AA."""
    failures = []
    for url in urls:
        response = page.goto(url)
        status = response.status if response else 0
        if status >= 500:
            failures.append(f"{url}: HTTP {status}")
            continue
        report = axe_violations(page)
        if report:
            failures.append(f"{url}\n{report}")
    return failures


def log_in(page: Any, base_url: str, email: str, password: str, language: str = "pl") -> None:
    page.goto(f"{base_url}/{language}/konto/logowanie/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
