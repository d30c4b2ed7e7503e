"""The web page in a real browser: Playwright driving Debian's headless chromium against the real
service (uvicorn in a subprocess). Uploads a screenshot and checks that the verdict, the findings
table and the overlay appear and that hovering a finding highlights its box; runs a batch job to
the CSV download; and asks for the API key when the service has one. Takes a picture of the page;
with CLOSECHECK_UPDATE_DOCS=1 it becomes docs/service-page.png."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
REALDEV = ROOT.parent / "shared" / "realdev" / "images"
CHROMIUM = Path("/usr/bin/chromium")
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SPLASH = REALDEV / "litiaotiao__full__lt0406_com.netease.cloudmusic.jpg"
INTERSTITIAL = REALDEV / "aidui_contextdp__images__nagging__10277_92JZ8UO.jpg"
SCREENSHOT = ROOT / "docs" / "service-page.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]
pytest.importorskip(
    "playwright.sync_api", reason="needs the playwright Python package (pip install playwright)"
)
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_service(tmp: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "CLOSECHECK_DATABASE_PATH": str(tmp / f"jobs-{port}.sqlite3"), **env},
        stdout=(tmp / f"service-{port}.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the service exited; see {tmp}/service-{port}.log"
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the service did not start in 60 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def mockup(path: Path) -> Path:
    """A designer's @2x mockup of a Chinese splash ad with a 跳过 pill."""
    img = Image.new("RGB", (750, 1334), (236, 92, 72))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 28)
    draw.rounded_rectangle([590, 70, 720, 122], radius=26, fill=(0, 0, 0))
    draw.text((612, 80), "跳过 3", font=font, fill=(255, 255, 255))
    draw.text((30, 1270), "广告", font=ImageFont.truetype(FONT, 22), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def service(tmp: Path) -> Iterator[str]:
    proc, url = start_service(tmp, CLOSECHECK_WORKERS="2")
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield pg
    context.close()
    assert not [e for e in errors if "401" not in e], errors


def test_upload_one_screenshot_shows_verdict_findings_and_overlay(service: str, page: Page, tmp: Path) -> None:
    if not SPLASH.is_file():
        pytest.skip(f"realdev screenshot missing: {SPLASH}")
    pg = page
    pg.goto(service)
    pg.set_input_files("#files", str(SPLASH))
    card = pg.locator(".card").first
    verdict = card.locator(".verdict")
    verdict.wait_for(timeout=120_000)
    assert verdict.inner_text().strip().lower() in {"pass", "fail", "review", "not applicable"}
    assert card.locator(".reason").inner_text().strip()

    rows = card.locator(".findings tbody tr")
    assert rows.count() >= 1
    assert "CLOSE_" in card.locator(".findings").inner_text()
    rects = card.locator("svg.overlay rect[data-el]")
    assert rects.count() >= 1
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")

    # Hovering a finding that cites evidence highlights its box, and only while hovered.
    cited = card.locator('.findings tbody tr[data-evidence]:not([data-evidence=""])').first
    cited.hover()
    assert card.locator("svg.overlay rect.hl").count() >= 1
    assert "hl" in (cited.get_attribute("class") or "")
    pg.mouse.move(5, 5)
    assert card.locator("svg.overlay rect.hl").count() == 0
    # ... and hovering a box highlights the findings that cite it.
    box_id = (cited.get_attribute("data-evidence") or "").split()[0]
    card.locator(f'svg.overlay rect[data-el="{box_id}"]').dispatch_event("mouseenter")
    assert card.locator(".findings tbody tr.hl").count() >= 1

    cited.hover()
    # the picture of the page is taken every run; it replaces the README's only when asked
    # (CLOSECHECK_UPDATE_DOCS=1), so a test run leaves the checkout as it found it
    shot = SCREENSHOT if os.environ.get("CLOSECHECK_UPDATE_DOCS") == "1" else tmp / "service-page.png"
    shot.parent.mkdir(exist_ok=True)
    pg.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_scale_picker_sets_density(service: str, page: Page, tmp: Path) -> None:
    pg = page
    pg.goto(service)
    pg.select_option("#scale", "density:2")
    pg.set_input_files("#files", str(mockup(tmp / "mockup@2x.png")))
    line = pg.locator(".card .screen-line")
    line.wait_for(timeout=120_000)
    assert "density 2" in line.inner_text()
    assert "375 dp wide" in line.inner_text()

    pg.select_option("#scale", "width_dp:custom")
    assert pg.locator("#custom-dp").is_visible()


def test_many_files_become_a_job_with_progress_and_csv(service: str, page: Page, tmp: Path) -> None:
    if not INTERSTITIAL.is_file():
        pytest.skip(f"realdev screenshot missing: {INTERSTITIAL}")
    bad = tmp / "broken.png"
    bad.write_bytes(b"not an image")
    pg = page
    pg.goto(service)
    pg.set_input_files("#files", [str(INTERSTITIAL), str(mockup(tmp / "m.png")), str(bad)])
    pg.locator("#job").wait_for(state="visible")
    # (locator assertions, not wait_for_function: the page's CSP forbids eval, as it should)
    expect(pg.locator("#job-text")).to_contain_text("3 of 3", timeout=180_000)
    expect(pg.locator(".card")).to_have_count(3, timeout=30_000)
    assert pg.locator("#job-progress").get_attribute("value") is not None
    assert pg.locator("#job-progress").evaluate("p => p.value") == 1
    assert pg.locator(".card.error-card").count() == 1
    assert pg.locator(".card svg.overlay").count() == 2

    with pg.expect_download() as download_info:
        pg.click("#csv")
    csv_path = tmp / "results.csv"
    download_info.value.save_as(csv_path)
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("index,name,status,verdict") and len(lines) == 4


def test_page_asks_for_the_api_key(tmp: Path, page: Page) -> None:
    proc, url = start_service(tmp, CLOSECHECK_WORKERS="1", CLOSECHECK_API_KEY="open-sesame")
    try:
        pg = page
        pg.goto(url)
        key = pg.locator("#api-key")
        key.wait_for(state="visible")
        pg.set_input_files("#files", str(mockup(tmp / "k.png")))
        error = pg.locator(".card.error-card")
        error.wait_for(timeout=30_000)
        assert "x-api-key" in error.inner_text().lower()
        key.fill("open-sesame")
        pg.set_input_files("#files", str(mockup(tmp / "k2.png")))
        pg.locator(".card .verdict:not(.v-error)").wait_for(timeout=120_000)
    finally:
        stop(proc)
