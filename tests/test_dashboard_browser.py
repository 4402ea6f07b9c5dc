"""The dashboard in a real browser: headless Chromium (Debian's, installed by `.ci/bootstrap-browser`)
driven by Playwright, against `csm serve` (gunicorn, 2 workers) on a loopback port.

It signs in through the form, finds HealthTech in the at-risk table, opens its page, checks that no
address ever carried the token, that scripts cannot read the session cookie, that the page breaks
none of its own Content-Security-Policy, that a phone-sized window needs no sideways scrolling, and
signs out.  Screenshots are saved in build/test-artifacts/ (CSM_ARTIFACTS to put them elsewhere);
with CSM_UPDATE_SCREENSHOTS=1 they also replace the README's in service/dashboard/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.helpers import ROOT, seeded_service

TOKEN = "browser-test-token-0123456789"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",  # this machine's closed network refuses its background calls
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("CSM_ARTIFACTS") or ROOT / "build" / "test-artifacts")
README_SHOTS = ROOT / "service" / "dashboard" / "screenshots"
README_NAMES = ("dashboard-overview", "dashboard-account")


def chromium_path() -> str:
    found = os.environ.get("CSM_CHROMIUM") or shutil.which("chromium")
    assert found, "Chromium is not installed: run `bash .ci/bootstrap-browser` (Debian's chromium package)"
    return found


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with seeded_service(tmp_path_factory.mktemp("browser"), f"ops={TOKEN}") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a page, not a blank
    if os.environ.get("CSM_UPDATE_SCREENSHOTS") == "1" and name in README_NAMES:
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SHOTS / path.name)
    return path


def watch(page) -> tuple[list[str], list[str]]:
    """Every address the page asks for, and every console error (a CSP violation is one)."""
    urls: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return urls, errors


def test_sign_in_see_healthtech_at_risk_open_its_page_and_sign_out(service, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    urls, errors = watch(page)

    page.goto(f"{service}/dashboard")
    assert page.url == f"{service}/dashboard/signin?next=/dashboard"
    page.fill("#token", "not-the-token")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "That token is not valid."
    assert errors == ["Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)"]
    errors.clear()
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{service}/dashboard")

    cookies = context.cookies()
    assert [(c["name"], c["httpOnly"], c["sameSite"], c["path"]) for c in cookies] == [
        ("csm_dashboard", True, "Strict", "/dashboard")
    ]
    assert TOKEN not in cookies[0]["value"]
    assert page.evaluate("document.cookie") == ""  # scripts cannot read the session

    tiles = page.locator(".tiles .tile").all_inner_texts()
    assert [" ".join(t.split()) for t in tiles][:3] == [
        "4 active accounts",
        "$3.2M total ARR",
        "$350K ARR at risk (1 account)",
    ]
    rows = page.locator("#at-risk tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "HealthTech Solutions"
    assert "At Risk" in rows.first.inner_text()
    assert page.locator("#health-distribution svg rect").count() == 5
    assert page.locator("#renewal-pipeline svg rect").count() == 4
    shoot(page, "dashboard-overview")

    rows.first.locator("a").click()
    page.wait_for_url(f"{service}/dashboard/accounts/ACC-00003")
    assert page.locator("h1").inner_text().startswith("HealthTech Solutions")
    assert page.locator("#health-trend svg circle").count() == 16  # 15 snapshots and today
    assert page.locator("#health-trend svg polyline").is_visible()
    assert page.locator("#qbr-brief h2").inner_text() == "QBR brief: HealthTech Solutions (2026-05-24 to 2026-11-20)"
    assert (
        "Legacy interface engine drops HL7 messages (High, Open): Finish wave 2"
        in page.locator("#qbr-brief").inner_text()
    )
    shoot(page, "dashboard-account")

    # A link to an account followed from another site, as from a Slack alert: "localhost" is another
    # site than "127.0.0.1", so SameSite=Strict keeps the cookie off that navigation; the page reloads
    # itself and arrives signed in.
    elsewhere = service.replace("127.0.0.1", "localhost")
    page.goto(f"{elsewhere}/dashboard/signin")
    page.evaluate(
        "url => { const a = document.createElement('a'); a.href = url; a.id = 'out'; a.textContent = 'alert';"
        " document.body.appendChild(a); }",
        f"{service}/dashboard/accounts/ACC-00003",
    )
    seen = len(urls)
    page.click("#out")
    page.wait_for_url(f"{service}/dashboard/accounts/ACC-00003")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text().startswith("HealthTech Solutions")
    hops = [u for u in urls[seen:] if "/accounts/ACC-00003" in u]
    assert len(hops) == 2, hops  # the cross-site request (the reload page), then the same-site one
    page.goto(f"{service}/dashboard/accounts/ACC-00003")

    page.click("text=Sign out")
    page.wait_for_url(f"{service}/dashboard/signin?signed_out=1")
    assert page.locator(".notice").inner_text() == "You have signed out."
    assert context.cookies() == []
    page.goto(f"{service}/dashboard/accounts/ACC-00003")
    assert page.url.startswith(f"{service}/dashboard/signin?next=")

    assert not [u for u in urls if TOKEN in u], "the token was in an address"
    elsewhere_ok = (service, service.replace("127.0.0.1", "localhost"))
    assert not [u for u in urls if not u.startswith(elsewhere_ok)], "the page asked for something elsewhere"
    assert errors == []
    context.close()


def test_readable_on_a_phone(service, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    _, errors = watch(page)
    page.goto(f"{service}/dashboard/signin")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{service}/dashboard")
    for path, name in [("/dashboard", "dashboard-phone"), ("/dashboard/accounts/ACC-00003", "dashboard-account-phone")]:
        page.goto(f"{service}{path}")
        # The page itself never scrolls sideways (wide tables scroll inside their own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        # Chart labels stay legible: at least 9 CSS pixels high once the chart is scaled down.
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height))"
        )
        assert smallest >= 9, (path, smallest)
        shoot(page, name)
    # The at-risk table keeps what matters on a phone: the account, its health, ARR, days and risk.
    page.goto(f"{service}/dashboard")
    cells = [c.strip() for c in page.locator("#at-risk tbody tr td:visible").all_inner_texts()]
    assert cells == ["HealthTech Solutions", "63.7", "$350K", "131", "At Risk"]
    for table in ("#at-risk", "#workload"):  # and both fit without scrolling inside their box either
        box = page.locator(f"{table} .scroll")
        assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), table
    assert errors == []
    context.close()
