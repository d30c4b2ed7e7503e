"""The HTTP API through FastAPI's TestClient, on real screenshots (../shared/realdev) and on
screenshots generated here with Pillow and the CJK font: reports, the annotated PNG, rules,
jobs, metrics, and every bad input the service must answer with a clear 4xx."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont
from pydantic import SecretStr

from service.core.config import Settings
from service.main import create_app

REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
KEY = "s3cret-key"


def realdev(label: str) -> Path:
    path = REALDEV / "images" / label
    if not path.is_file():
        pytest.skip(f"realdev screenshot {label} not found at {REALDEV}")
    return path


SPLASH = "litiaotiao__full__lt0406_com.netease.cloudmusic.jpg"
INTERSTITIAL = "aidui_contextdp__images__nagging__10277_92JZ8UO.jpg"


def splash_png(*, width: int = 720, height: int = 1280, skip_text: str = "跳过 5") -> bytes:
    """A Chinese splash ad: a picture, a 广告 mark, and a skip countdown pill at top right."""
    img = Image.new("RGB", (width, height), (30, 90, 160))
    draw = ImageDraw.Draw(img)
    for y in range(0, height, 8):  # a gradient, so the background is not flat
        draw.rectangle([0, y, width, y + 8], fill=(30 + y * 80 // height, 90, 160 - y * 60 // height))
    font = ImageFont.truetype(FONT, 30)
    pill = [width - 190, 60, width - 30, 120]
    draw.rounded_rectangle(pill, radius=30, fill=(0, 0, 0))
    draw.text((pill[0] + 30, pill[1] + 12), skip_text, font=font, fill=(255, 255, 255))
    draw.text((30, height - 80), "广告", font=ImageFont.truetype(FONT, 22), fill=(230, 230, 230))
    draw.text((140, height // 2), "点击跳转详情页或第三方应用", font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def png_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "message"}, body
    assert isinstance(body["message"], str) and body["message"] and "\n" not in body["message"]
    if code is not None:
        assert body["error"] == code, body
    return body


def wait_for_job(
    client: TestClient, job_id: str, *, timeout: float = 240, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] == "completed":
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service with its default limits, two worker processes and a fresh database."""
    settings = Settings(database_path=tmp_path_factory.mktemp("db") / "jobs.sqlite3", workers=2)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Tiny limits, an API key and a request timeout no analysis can meet."""
    settings = Settings(
        database_path=tmp_path_factory.mktemp("db") / "jobs.sqlite3",
        workers=1,
        api_key=SecretStr(KEY),
        max_upload_bytes=60_000,
        max_job_upload_bytes=150_000,
        max_pixels=1_000_000,
        max_files_per_job=3,
        max_zip_members=4,
        max_zip_uncompressed_bytes=100_000,
        request_timeout_s=0.01,
    )
    with TestClient(create_app(settings)) as c:
        c.headers["X-API-Key"] = KEY
        yield c


# ---------------------------------------------------------------------------------------------
# One screenshot


def test_check_real_screenshot_is_exactly_the_library_report(client: TestClient) -> None:
    from detector import Analyzer, report_to_dict

    path = realdev(SPLASH)
    response = client.post("/v1/check", files={"file": (path.name, path.read_bytes(), "image/jpeg")})
    assert response.status_code == 200, response.text
    body = response.json()
    direct = report_to_dict(Analyzer().analyze(path.read_bytes(), name=path.name))
    assert body.keys() == direct.keys()
    assert body["schema"] == "closecheck.report/1"
    assert body["image"] == direct["image"]
    assert body["verdict"] == direct["verdict"]
    assert [(f["rule"], f["severity"]) for f in body["findings"]] == [
        (f["rule"], f["severity"]) for f in direct["findings"]
    ]
    assert [e["box"] for e in body["elements"]] == [e["box"] for e in direct["elements"]]


def test_check_generated_splash_with_density(client: TestClient) -> None:
    data = splash_png()
    response = client.post(
        "/v1/check", files={"file": ("mock.png", data, "image/png")}, data={"density": "2", "ocr": "ppocr"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["image"]["width"] == 720 and report["image"]["name"] == "mock.png"
    assert report["screen"]["density"] == pytest.approx(2.0)
    assert report["verdict"] in {"pass", "fail", "review", "not_applicable"}
    texts = " ".join(e.get("text") or "" for e in report["elements"])
    assert "跳过" in texts


def test_width_dp_sets_density(client: TestClient) -> None:
    response = client.post(
        "/v1/check", files={"file": ("mock.png", splash_png(), "image/png")}, data={"width_dp": "360"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["screen"]["density"] == pytest.approx(720 / 360)


def test_content_is_sniffed_not_the_file_name(client: TestClient) -> None:
    """A JPEG named .png with a wrong content type is still read as the JPEG it is."""
    path = realdev(INTERSTITIAL)
    response = client.post("/v1/check", files={"file": ("not-really.png", path.read_bytes(), "text/plain")})
    assert response.status_code == 200, response.text
    assert response.json()["image"]["width"] == 540


def test_annotated_png(client: TestClient) -> None:
    path = realdev(INTERSTITIAL)
    response = client.post(
        "/v1/check/annotated", files={"file": (path.name, path.read_bytes(), "image/jpeg")}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-closecheck-verdict"] in {"pass", "fail", "review", "not_applicable"}
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "PNG" and picture.size[0] >= 540


def _truncated_png() -> bytes:
    return png_bytes(64, 64)[:-30]


def _corrupt_png() -> bytes:
    data = bytearray(png_bytes(64, 64))
    data[40] ^= 0xFF  # inside IDAT: the chunk CRC no longer matches
    return bytes(data)


def _tiff() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="TIFF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("empty.png", b"", 400, "empty"),
        ("text.png", b"this is not an image at all", 415, "not_image"),
        ("script.jpg", b"<html><script>alert(1)</script></html>", 415, "not_image"),
        ("photo.tiff", _tiff(), 415, "unsupported_format"),
        ("archive.png", zip_bytes({"a.png": b"x"}), 415, "unsupported_format"),
        ("cut.png", _truncated_png(), 400, "truncated"),
        ("bad-crc.png", _corrupt_png(), 400, "corrupt"),
        ("huge.png", png_bytes(10_000, 5_000), 413, "too_many_pixels"),
    ],
)
def test_bad_images_get_a_clear_4xx(
    client: TestClient, name: str, data: bytes, status: int, code: str
) -> None:
    response = client.post("/v1/check", files={"file": (name, data, "image/png")})
    body = assert_error(response, status, code)
    if data:
        assert name in body["message"]


@pytest.mark.parametrize(
    ("form", "needle"),
    [
        ({"density": "-1"}, "density"),
        ({"density": "abc"}, "density"),
        ({"width_dp": "5"}, "width_dp"),
        ({"density": "2", "width_dp": "360"}, "not both"),
        ({"ocr": "gpt"}, "OCR"),
        ({"profile": "../../etc/passwd.yaml"}, "profile"),
        ({"profile": "/tmp/mine.yaml"}, "profile"),
    ],
)
def test_bad_form_fields_are_422(client: TestClient, form: dict[str, str], needle: str) -> None:
    response = client.post("/v1/check", files={"file": ("a.png", png_bytes(10, 10), "image/png")}, data=form)
    body = assert_error(response, 422)
    assert needle in body["message"]


def test_missing_file_is_422(client: TestClient) -> None:
    body = assert_error(client.post("/v1/check", data={"density": "2"}), 422, "invalid_request")
    assert "file" in body["message"]


def test_not_multipart_is_a_4xx(client: TestClient) -> None:
    response = client.post(
        "/v1/check",
        content=b'{"url": "http://example.com/x.png"}',
        headers={"content-type": "application/json"},
    )
    assert_error(response, 422)


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    assert_error(client.get("/v1/nope"), 404, "not_found")
    assert_error(client.get("/v1/check"), 405, "method_not_allowed")
    assert_error(client.get("/v1/jobs/0123456789abcdef0123456789abcdef"), 404, "job_not_found")
    assert_error(client.get("/v1/jobs/not-an-id"), 422, "invalid_request")


# ---------------------------------------------------------------------------------------------
# Rules, info, health, metrics, page


def test_rules_table(client: TestClient) -> None:
    body = client.get("/v1/rules").json()
    assert body["profile"] == "cn-miit-2021"
    ids = {r["id"] for r in body["rules"]}
    assert {"CLOSE_MISSING", "CLOSE_TOO_SMALL", "CLOSE_LOW_CONTRAST"} <= ids
    small = next(r for r in body["rules"] if r["id"] == "CLOSE_TOO_SMALL")
    assert (
        small["clause"]
        and small["thresholds"]
        and {"name", "value", "unit", "why"} <= small["thresholds"][0].keys()
    )
    assert_error(client.get("/v1/rules", params={"profile": "/etc/hosts.yaml"}), 422, "unknown_profile")


def test_info_and_health(client: TestClient) -> None:
    info = client.get("/v1/info").json()
    assert info["api_key_required"] is False and "cn-miit-2021" in info["profiles"]
    assert info["limits"]["max_files_per_job"] == 500
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["workers"] == 2


def test_openapi_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/check",
        "/v1/check/annotated",
        "/v1/rules",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/results",
    ):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_page_and_assets_are_local(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    # No CDN: nothing the page loads comes from another origin.
    for text in (page.text, client.get("/static/app.js").text, client.get("/static/style.css").text):
        assert "http://" not in text.replace("http://www.w3.org/", "") and "https://" not in text


def test_metrics_count_requests_and_verdicts(client: TestClient) -> None:
    client.post("/v1/check", files={"file": ("t.txt", b"not an image", "text/plain")})
    text = client.get("/metrics").text
    assert "closecheck_http_requests_total" in text
    assert 'route="/v1/check"' in text and "closecheck_http_request_duration_seconds_bucket" in text
    assert 'closecheck_analysis_errors_total{code="not_image",source="check"}' in text
    assert "closecheck_job_queue_depth" in text
    assert "closecheck_verdicts_total" in text


# ---------------------------------------------------------------------------------------------
# Jobs


def test_job_of_files_and_a_zip(client: TestClient) -> None:
    a, b = realdev(INTERSTITIAL), realdev(SPLASH)
    archive = zip_bytes(
        {"shots/one.jpg": a.read_bytes(), "shots/two.png": splash_png(), "__MACOSX/._one.jpg": b"x"}
    )
    files = [
        ("files", (b.name, b.read_bytes(), "image/jpeg")),
        ("files", ("bundle.zip", archive, "application/zip")),
        ("files", ("broken.png", b"garbage", "image/png")),
    ]
    response = client.post("/v1/jobs", files=files, data={"density": "3"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["total"] == 4 and job["state"] in {"queued", "running"} and job["options"]["density"] == 3
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"

    # The service answers other requests while the job runs.
    started = time.monotonic()
    assert client.get("/healthz").status_code == 200
    assert time.monotonic() - started < 1.0

    done = wait_for_job(client, job["id"])
    assert done["counts"] == {"pending": 0, "running": 0, "done": 3, "error": 1}
    assert done["progress"] == 1.0 and sum(done["verdicts"].values()) == 3

    lines = [json.loads(x) for x in client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert [x["index"] for x in lines] == [0, 1, 2, 3]
    assert [x["name"] for x in lines] == [b.name, "shots/one.jpg", "shots/two.png", "broken.png"]
    assert all(x["report"]["screen"]["density"] == pytest.approx(3.0) for x in lines[:3])
    assert lines[3]["status"] == "error" and lines[3]["error"]["error"] == "not_image"

    csv_response = client.get(f"/v1/jobs/{job['id']}/results", params={"format": "csv"})
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = csv_response.text.splitlines()
    assert rows[0].startswith("index,name,status,verdict") and len(rows) == 5

    assert client.delete(f"/v1/jobs/{job['id']}").status_code == 204
    assert_error(client.get(f"/v1/jobs/{job['id']}"), 404, "job_not_found")
    assert_error(client.delete(f"/v1/jobs/{job['id']}"), 404, "job_not_found")


def test_csv_defuses_formulas_in_client_file_names(client: TestClient) -> None:
    response = client.post("/v1/jobs", files=[("files", ("=HYPERLINK(1).png", b"nope", "image/png"))])
    job = wait_for_job(client, response.json()["id"])
    text = client.get(f"/v1/jobs/{job['id']}/results", params={"format": "csv"}).text
    assert "\n0,'=HYPERLINK(1).png,error" in text


def test_job_without_files_is_422(client: TestClient) -> None:
    assert_error(client.post("/v1/jobs", data={"density": "2"}), 422)


def test_results_format_is_checked(client: TestClient) -> None:
    job = client.post("/v1/jobs", files=[("files", ("a.png", b"x", "image/png"))]).json()
    assert_error(client.get(f"/v1/jobs/{job['id']}/results", params={"format": "xml"}), 422)


# ---------------------------------------------------------------------------------------------
# Limits, API key and timeout (the strict service)


def test_api_key_required(strict: TestClient) -> None:
    bare = {"X-API-Key": ""}
    assert_error(strict.get("/v1/rules", headers=bare), 401, "unauthorized")
    assert_error(strict.get("/v1/rules", headers={"X-API-Key": "wrong"}), 401, "unauthorized")
    assert_error(strict.get("/metrics", headers=bare), 401, "unauthorized")
    assert strict.get("/v1/rules").status_code == 200
    # The page, its info and health stay open, so the page can ask for the key.
    assert strict.get("/", headers=bare).status_code == 200
    assert strict.get("/healthz", headers=bare).status_code == 200
    assert strict.get("/v1/info", headers=bare).json()["api_key_required"] is True


def test_timeout_is_504(strict: TestClient) -> None:
    response = strict.post("/v1/check", files={"file": ("a.png", png_bytes(300, 500), "image/png")})
    assert_error(response, 504, "timeout")


def test_upload_over_max_bytes(strict: TestClient) -> None:
    response = strict.post("/v1/check", files={"file": ("big.png", b"\x89PNG" + b"0" * 70_000, "image/png")})
    assert_error(response, 413, "file_too_large")


def test_body_over_limit_is_refused_before_reading(strict: TestClient) -> None:
    response = strict.post(
        "/v1/check", content=b"x" * 200_000, headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert_error(response, 413, "payload_too_large")


def test_chunked_body_over_limit(strict: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        for _ in range(50):
            yield b"0" * 10_000

    response = strict.post(
        "/v1/check", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert_error(response, 413, "payload_too_large")


def test_too_many_files(strict: TestClient) -> None:
    files = [("files", (f"{i}.png", png_bytes(4, 4), "image/png")) for i in range(4)]
    assert_error(strict.post("/v1/jobs", files=files), 413, "too_many_files")


def test_zip_with_too_many_files_for_a_job(strict: TestClient) -> None:
    archive = zip_bytes({f"{i}.png": png_bytes(4, 4) for i in range(4)})
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", archive, "application/zip"))]),
        413,
        "too_many_files",
    )


def test_zip_member_count(strict: TestClient) -> None:
    archive = zip_bytes({f"d{i}/": b"" for i in range(5)})
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", archive, "application/zip"))]),
        413,
        "zip_too_many_members",
    )


def test_zip_bomb_is_stopped(strict: TestClient) -> None:
    """A small zip that inflates past the total uncompressed limit."""
    archive = zip_bytes({"a.png": b"\0" * 55_000, "b.png": b"\0" * 55_000})
    assert len(archive) < 2_000
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", archive, "application/zip"))]),
        413,
        "zip_too_large",
    )


def test_zip_member_over_max_bytes(strict: TestClient) -> None:
    archive = zip_bytes({"a.png": b"\0" * 70_000})
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", archive, "application/zip"))]),
        413,
        "file_too_large",
    )


def test_zip_sizes_that_lie_are_caught(strict: TestClient) -> None:
    """The declared size says 10 bytes; the entry inflates to 90 kB: counted bytes win."""
    archive = bytearray(zip_bytes({"a.png": b"\0" * 90_000}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = archive.find(signature)
        archive[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    response = strict.post("/v1/jobs", files=[("files", ("a.zip", bytes(archive), "application/zip"))])
    assert response.status_code in (400, 413), response.text
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "member", ["../evil.png", "/etc/evil.png", "a/../../evil.png", "C:\\evil.png", "..\\evil.png"]
)
def test_zip_unsafe_paths_rejected(strict: TestClient, member: str) -> None:
    archive = zip_bytes({"ok.png": png_bytes(4, 4), member: png_bytes(4, 4)})
    body = assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", archive, "application/zip"))]),
        400,
        "zip_unsafe_path",
    )
    assert "evil" in body["message"]


def test_corrupt_and_encrypted_zips(strict: TestClient) -> None:
    archive = zip_bytes({"a.png": png_bytes(4, 4)})
    cut = archive[: len(archive) // 2]
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", cut, "application/zip"))]), 400, "zip_invalid"
    )
    encrypted = bytearray(archive)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.find(signature)
        encrypted[at + offset] |= 0x1
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", bytes(encrypted), "application/zip"))]),
        400,
        "zip_encrypted",
    )


def test_empty_zip_is_400(strict: TestClient) -> None:
    assert_error(
        strict.post("/v1/jobs", files=[("files", ("a.zip", zip_bytes({}), "application/zip"))]),
        400,
        "no_files",
    )


def test_job_body_over_limit(strict: TestClient) -> None:
    files = [("files", (f"{i}.png", b"0" * 80_000, "image/png")) for i in range(3)]  # > limit + 64 KiB
    assert_error(strict.post("/v1/jobs", files=files), 413, "payload_too_large")
