"""Safe image input: accept/reject tables for detector.imageio.load_image.

Every image is generated in memory with Pillow; hostile inputs are crafted byte by byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, features

from detector.imageio import ImageInputError, ImageLimits, LoadedImage, load_image

REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"

W, H = 64, 48
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


# --------------------------------------------------------------------------------------------
# Builders


def _save(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _quadrants() -> Image.Image:
    """Top-left red, top-right green, bottom-left blue, bottom-right white."""
    im = Image.new("RGB", (W, H), WHITE)
    im.paste(RED, (0, 0, W // 2, H // 2))
    im.paste(GREEN, (W // 2, 0, W, H // 2))
    im.paste(BLUE, (0, H // 2, W // 2, H))
    return im


def _noise(w: int = 200, h: int = 150) -> Image.Image:
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def png_rgb() -> bytes:
    return _save(_quadrants(), "PNG")


def png_rgba() -> bytes:
    im = Image.new("RGBA", (W, H), (255, 0, 0, 255))
    im.paste((0, 0, 0, 0), (0, 0, W // 2, H))  # left half fully transparent black
    return _save(im, "PNG")


def png_la() -> bytes:
    im = Image.new("LA", (W, H), (0, 0))  # black, fully transparent
    im.paste((0, 255), (W // 2, 0, W, H))  # right half black, opaque
    return _save(im, "PNG")


def png_p() -> bytes:
    return _save(_quadrants().convert("P", palette=Image.Palette.ADAPTIVE, colors=4), "PNG")


def png_p_transparency() -> bytes:
    im = Image.new("P", (W, H), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    im.paste(1, (W // 2, 0, W, H))  # right half red; index 0 (left, black) is transparent
    return _save(im, "PNG", transparency=0)


def png_l() -> bytes:
    return _save(Image.new("L", (W, H), 128), "PNG")


def png_i16() -> bytes:
    arr = np.zeros((H, W), dtype=np.uint16)
    arr[:, W // 2 :] = 65535
    arr[0, 0] = 32896  # 128 * 257
    return _save(Image.fromarray(arr), "PNG")


def png_rgb16() -> bytes:
    """A 16-bit-per-channel RGB PNG written by hand (Pillow does not write one)."""
    row = struct.pack(">HHH", 65535, 0, 0) * W
    raw = b"".join(b"\x00" + row for _ in range(H))
    return _png([("IHDR", struct.pack(">IIBBBBB", W, H, 16, 2, 0, 0, 0)), ("IDAT", zlib.compress(raw))])


def jpeg_rgb() -> bytes:
    return _save(_quadrants(), "JPEG", quality=95)


def jpeg_l() -> bytes:
    return _save(Image.new("L", (W, H), 200), "JPEG", quality=95)


def jpeg_cmyk() -> bytes:
    # CMYK (0, 255, 255, 0) is red; Pillow writes it with the Adobe (inverted) convention.
    return _save(Image.new("CMYK", (W, H), (0, 255, 255, 0)), "JPEG", quality=95)


def webp_rgb() -> bytes:
    return _save(_quadrants(), "WEBP", lossless=True)


def webp_rgba() -> bytes:
    im = Image.new("RGBA", (W, H), (0, 0, 255, 255))
    im.paste((0, 0, 0, 0), (0, 0, W // 2, H))
    return _save(im, "WEBP", lossless=True)


def bmp_rgb() -> bytes:
    return _save(_quadrants(), "BMP")


def gif_still() -> bytes:
    return _save(_quadrants().convert("P", palette=Image.Palette.ADAPTIVE, colors=4), "GIF")


def _frames(n: int) -> list[Image.Image]:
    colours = [RED, GREEN, BLUE, WHITE, (10, 20, 30)]
    return [Image.new("RGB", (W, H), colours[i % len(colours)]) for i in range(n)]


def gif_animated() -> bytes:
    first, *rest = _frames(5)
    return _save(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)


def webp_animated() -> bytes:
    first, *rest = _frames(3)
    return _save(first, "WEBP", save_all=True, append_images=rest, duration=100, lossless=True)


def apng_animated() -> bytes:
    first, *rest = _frames(4)
    return _save(first, "PNG", save_all=True, append_images=rest, duration=100)


def _with_orientation(fmt: str, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    kw: dict[str, object] = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        kw["quality"] = 95
    return _save(_quadrants(), fmt, **kw)


def _png(chunks: list[tuple[str, bytes]], *, end: bool = True) -> bytes:
    out = b"\x89PNG\r\n\x1a\n"
    for ctype, body in [*chunks, *([("IEND", b"")] if end else [])]:
        tag = ctype.encode("ascii")
        out += struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))
    return out


def png_huge_header() -> bytes:
    """A valid-CRC PNG that claims 60000x60000 RGB but holds one tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    return _png([("IHDR", ihdr), ("IDAT", zlib.compress(b"\x00" * 64))])


def png_corrupt_idat() -> bytes:
    data = bytearray(_save(_noise(), "PNG"))
    idat = data.index(b"IDAT")
    for i in range(idat + 200, idat + 260):
        data[i] ^= 0x5A
    return bytes(data)


def png_noise() -> bytes:
    return _save(_noise(), "PNG")  # about 90 KB


def png_cut() -> bytes:
    data = _save(_noise(), "PNG")
    return data[: len(data) // 2]


def png_no_iend() -> bytes:
    data = _save(_noise(), "PNG")
    return data[:-12]


def jpeg_cut() -> bytes:
    data = _save(_noise(), "JPEG", quality=90)
    return data[: len(data) // 2]


def webp_cut() -> bytes:
    data = _save(_noise(), "WEBP", quality=80)
    return data[: len(data) // 2]


def gif_cut() -> bytes:
    data = _save(_noise().convert("P"), "GIF")
    return data[: len(data) // 2]


def bmp_cut() -> bytes:
    data = _save(_noise(), "BMP")
    return data[: len(data) // 2]


def tiff_bytes() -> bytes:
    return _save(_quadrants(), "TIFF")


def png_zero_width() -> bytes:
    return _png([("IHDR", struct.pack(">IIBBBBB", 0, 10, 8, 2, 0, 0, 0)), ("IDAT", zlib.compress(b""))])


# --------------------------------------------------------------------------------------------
# Accept table

Check = Callable[[np.ndarray], None]


def _px(y: int, x: int, rgb: tuple[int, int, int], tol: int = 0) -> Check:
    def check(arr: np.ndarray) -> None:
        got = tuple(int(v) for v in arr[y, x])
        assert all(abs(g - e) <= tol for g, e in zip(got, rgb, strict=True)), (
            f"pixel ({y},{x}) {got} != {rgb}"
        )

    return check


def _quadrant_checks(tol: int = 0, shape: tuple[int, int] = (H, W)) -> list[Check]:
    h, w = shape
    return [
        _px(2, 2, RED, tol),
        _px(2, w - 3, GREEN, tol),
        _px(h - 3, 2, BLUE, tol),
        _px(h - 3, w - 3, WHITE, tol),
    ]


needs_webp = pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")


def case(case_id: str, *values: object, webp: bool = False) -> object:
    """One table row; the id is passed on too, to name the image."""
    return pytest.param(case_id, *values, id=case_id, marks=[needs_webp] if webp else [])


# id, builder, expected format, expected (H, W), note substrings, pixel checks
ACCEPT = [
    case("png-rgb", png_rgb, "PNG", (H, W), (), _quadrant_checks()),
    case(
        "png-rgba",
        png_rgba,
        "PNG",
        (H, W),
        ("alpha composited on white",),
        [_px(5, 5, WHITE), _px(5, W - 5, RED)],
    ),
    case(
        "png-la",
        png_la,
        "PNG",
        (H, W),
        ("alpha composited on white",),
        [_px(5, 5, WHITE), _px(5, W - 5, (0, 0, 0))],
    ),
    case("png-p", png_p, "PNG", (H, W), (), _quadrant_checks()),
    case(
        "png-p-transparency",
        png_p_transparency,
        "PNG",
        (H, W),
        ("alpha composited on white",),
        [_px(5, 5, WHITE), _px(5, W - 5, RED)],
    ),
    case("png-l", png_l, "PNG", (H, W), (), [_px(3, 3, (128, 128, 128))]),
    case(
        "png-i16",
        png_i16,
        "PNG",
        (H, W),
        ("16-bit scaled to 8-bit",),
        [_px(0, 0, (128, 128, 128)), _px(5, 5, (0, 0, 0)), _px(5, W - 5, (255, 255, 255))],
    ),
    case("png-rgb16", png_rgb16, "PNG", (H, W), ("16-bit scaled to 8-bit",), [_px(3, 3, RED)]),
    case("jpeg-rgb", jpeg_rgb, "JPEG", (H, W), (), _quadrant_checks(tol=12)),
    case("jpeg-l", jpeg_l, "JPEG", (H, W), (), [_px(3, 3, (200, 200, 200), tol=2)]),
    case("jpeg-cmyk", jpeg_cmyk, "JPEG", (H, W), ("CMYK converted",), [_px(3, 3, RED, tol=3)]),
    case("webp-rgb", webp_rgb, "WEBP", (H, W), (), _quadrant_checks(), webp=True),
    case(
        "webp-rgba",
        webp_rgba,
        "WEBP",
        (H, W),
        ("alpha composited on white",),
        [_px(5, 5, WHITE), _px(5, W - 5, BLUE)],
        webp=True,
    ),
    case("bmp-rgb", bmp_rgb, "BMP", (H, W), (), _quadrant_checks()),
    case("gif-still", gif_still, "GIF", (H, W), (), _quadrant_checks()),
    case(
        "gif-animated",
        gif_animated,
        "GIF",
        (H, W),
        ("animated image: first frame of 5 used",),
        [_px(3, 3, RED)],
    ),
    case(
        "webp-animated",
        webp_animated,
        "WEBP",
        (H, W),
        ("animated image: first frame of 3 used",),
        [_px(3, 3, RED)],
        webp=True,
    ),
    case(
        "apng-animated",
        apng_animated,
        "PNG",
        (H, W),
        ("animated image: first frame of 4 used",),
        [_px(3, 3, RED)],
    ),
    # EXIF orientation 6: the stored picture is rotated 90° clockwise for display, so the stored
    # top-left (red) lands at the top-right and the picture becomes W tall and H wide.
    case(
        "jpeg-exif-6",
        lambda: _with_orientation("JPEG", 6),
        "JPEG",
        (W, H),
        ("EXIF orientation 6 applied",),
        [_px(2, H - 3, RED, 12), _px(2, 2, BLUE, 12), _px(W - 3, H - 3, GREEN, 12), _px(W - 3, 2, WHITE, 12)],
    ),
    # Orientation 3: rotated 180°, red goes to the bottom-right.
    case(
        "jpeg-exif-3",
        lambda: _with_orientation("JPEG", 3),
        "JPEG",
        (H, W),
        ("EXIF orientation 3 applied",),
        [_px(H - 3, W - 3, RED, 12), _px(2, 2, WHITE, 12)],
    ),
    case(
        "png-exif-6",
        lambda: _with_orientation("PNG", 6),
        "PNG",
        (W, H),
        ("EXIF orientation 6 applied",),
        [_px(2, H - 3, RED), _px(2, 2, BLUE)],
    ),
    case("jpeg-exif-1", lambda: _with_orientation("JPEG", 1), "JPEG", (H, W), (), _quadrant_checks(tol=12)),
]


@pytest.mark.parametrize(("case_id", "build", "fmt", "shape", "notes", "checks"), ACCEPT)
def test_accept_bytes(
    case_id: str,
    build: Callable[[], bytes],
    fmt: str,
    shape: tuple[int, int],
    notes: tuple[str, ...],
    checks: list[Check],
) -> None:
    data = build()
    img = load_image(data, name=f"{case_id}.img")
    assert isinstance(img, LoadedImage)
    assert img.format == fmt
    assert img.name == f"{case_id}.img"
    assert img.rgb.shape == (*shape, 3)
    assert img.rgb.dtype == np.uint8
    assert img.rgb.flags.c_contiguous
    assert not img.rgb.flags.writeable
    assert (img.height, img.width) == shape
    assert img.sha256 == hashlib.sha256(data).hexdigest()
    for expected in notes:
        assert any(expected in n for n in img.notes), f"{expected!r} not in {img.notes}"
    if not notes:
        assert img.notes == ()
    for check in checks:
        check(img.rgb)


# --------------------------------------------------------------------------------------------
# Reject table


def _text() -> bytes:
    return b"hello, this is a plain text file\nnot an image at all\n"


def _svg() -> bytes:
    return b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'


def _random() -> bytes:
    return bytes(np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes()).replace(
        b"\x00", b"\x01"
    )


SMALL_BYTES = ImageLimits(max_bytes=1000)
SMALL_PIXELS = ImageLimits(max_pixels=1000)

# id, builder, limits, expected code
REJECT = [
    case("empty", lambda: b"", ImageLimits(), "empty"),
    case("text", _text, ImageLimits(), "not_image"),
    case("random", lambda: b"\x13\x37" + _random(), ImageLimits(), "not_image"),
    case("svg", _svg, ImageLimits(), "unsupported_format"),
    case(
        "pdf",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        ImageLimits(),
        "unsupported_format",
    ),
    case("tiff", tiff_bytes, ImageLimits(), "unsupported_format"),
    case("png-cut-half", png_cut, ImageLimits(), "truncated"),
    case("png-no-iend", png_no_iend, ImageLimits(), "truncated"),
    case("png-signature-only", lambda: b"\x89PNG\r\n\x1a\n", ImageLimits(), "truncated"),
    case("png-corrupt-idat", png_corrupt_idat, ImageLimits(), "corrupt"),
    case("png-zero-width", png_zero_width, ImageLimits(), "corrupt"),
    case("png-huge-header", png_huge_header, ImageLimits(), "too_many_pixels"),
    case("jpeg-cut-half", jpeg_cut, ImageLimits(), "truncated"),
    case("jpeg-header-only", lambda: jpeg_rgb()[:40], ImageLimits(), "truncated"),
    case("webp-cut-half", webp_cut, ImageLimits(), "truncated", webp=True),
    case("gif-cut-half", gif_cut, ImageLimits(), "truncated"),
    case("bmp-cut-half", bmp_cut, ImageLimits(), "truncated"),
    case("jpeg-garbage-after-soi", lambda: b"\xff\xd8\xff" + _random(), ImageLimits(), "corrupt"),
    case("over-max-bytes", png_noise, SMALL_BYTES, "too_large_bytes"),
    case("over-max-pixels-png", png_rgb, SMALL_PIXELS, "too_many_pixels"),
    case("over-max-pixels-jpeg", jpeg_rgb, SMALL_PIXELS, "too_many_pixels"),
    case("over-max-pixels-webp", webp_rgb, SMALL_PIXELS, "too_many_pixels", webp=True),
    case("over-max-pixels-gif", gif_still, SMALL_PIXELS, "too_many_pixels"),
    case("over-max-pixels-bmp", bmp_rgb, SMALL_PIXELS, "too_many_pixels"),
]


@pytest.mark.parametrize(("case_id", "build", "limits", "code"), REJECT)
def test_reject_bytes(case_id: str, build: Callable[[], bytes], limits: ImageLimits, code: str) -> None:
    with pytest.raises(ImageInputError) as info:
        load_image(build(), name=f"{case_id}.png", limits=limits)
    err = info.value
    assert err.code == code, str(err)
    message = str(err)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{case_id}.png: ")
    assert len(message) < 300
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_reject_without_name_has_no_prefix() -> None:
    with pytest.raises(ImageInputError) as info:
        load_image(b"")
    assert info.value.code == "empty"
    assert str(info.value) == "image data is empty (0 bytes)"


def test_huge_header_rejected_fast() -> None:
    data = png_huge_header()
    start = time.perf_counter()
    with pytest.raises(ImageInputError) as info:
        load_image(data)
    assert time.perf_counter() - start < 0.5
    assert info.value.code == "too_many_pixels"
    assert "60000x60000" in str(info.value)


def test_huge_webp_header_rejected_before_decoder() -> None:
    # A VP8X header claiming 16384x16384: libwebp would allocate a 1 GiB canvas on open.
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (16383).to_bytes(3, "little") * 2
    data = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body
    with pytest.raises(ImageInputError) as info:
        load_image(data)
    assert info.value.code == "too_many_pixels"


@pytest.mark.parametrize("junk", [b"", b"\x00\x07", b"!\xfe\x03abc\x00"], ids=["plain", "junk", "comment"])
def test_huge_gif_first_frame_extent_rejected(junk: bytes) -> None:
    # A 10x10 logical screen whose first frame claims 60000x60000 (Pillow would enlarge the
    # canvas); Pillow skips unknown bytes and extensions before the descriptor, so must the probe.
    header = b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0, 0, 0)
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, 60000, 60000, 0)
    with pytest.raises(ImageInputError) as info:
        load_image(header + junk + descriptor + b"\x02\x02\x44\x01\x00;")
    assert info.value.code == "too_many_pixels"


def test_hostile_name_stays_one_line() -> None:
    with pytest.raises(ImageInputError) as info:
        load_image(b"not an image", name="evil\nname\r.png")
    assert "\n" not in str(info.value) and "\r" not in str(info.value)
    assert str(info.value).startswith("evil\\nname\\r.png: ")


def test_error_is_value_error_and_picklable() -> None:
    with pytest.raises(ValueError) as info:
        load_image(b"", name="x.png")
    err = info.value
    assert isinstance(err, ImageInputError)
    clone = pickle.loads(pickle.dumps(err))
    assert isinstance(clone, ImageInputError)
    assert (clone.code, str(clone), clone.name) == (err.code, str(err), err.name)


def test_wrong_source_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        load_image(12345)  # type: ignore[arg-type]


def test_limits_validated() -> None:
    with pytest.raises(ValueError):
        ImageLimits(max_bytes=0)
    with pytest.raises(ValueError):
        ImageLimits(max_pixels=-1)


# --------------------------------------------------------------------------------------------
# Paths


def test_path_str_and_pathlike(tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    path.write_bytes(png_rgb())
    for source in (path, str(path)):
        img = load_image(source)
        assert img.rgb.shape == (H, W, 3)
        assert img.name == str(path)
        assert img.format == "PNG"
    assert load_image(path, name="other.png").name == "other.png"


def test_format_sniffed_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "actually-a-jpeg.png"
    path.write_bytes(jpeg_rgb())
    assert load_image(path).format == "JPEG"
    text = tmp_path / "fake.png"
    text.write_bytes(_text())
    with pytest.raises(ImageInputError) as info:
        load_image(text)
    assert info.value.code == "not_image"
    assert str(info.value).startswith(f"{text}: ")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        ("missing", "not_found"),
        ("missing-parent", "not_found"),
        ("directory", "not_a_file"),
        ("empty-file", "empty"),
        ("too-big-file", "too_large_bytes"),
        ("truncated-file", "truncated"),
    ],
)
def test_reject_paths(tmp_path: Path, make: str, code: str) -> None:
    limits = ImageLimits()
    if make == "missing":
        path = tmp_path / "nope.png"
    elif make == "missing-parent":
        path = tmp_path / "nope" / "x.png"
    elif make == "directory":
        path = tmp_path / "dir.png"
        path.mkdir()
    elif make == "empty-file":
        path = tmp_path / "empty.png"
        path.write_bytes(b"")
    elif make == "too-big-file":
        path = tmp_path / "big.png"
        path.write_bytes(png_noise())
        limits = SMALL_BYTES
    else:
        path = tmp_path / "cut.jpg"
        path.write_bytes(jpeg_cut())
    with pytest.raises(ImageInputError) as info:
        load_image(path, limits=limits)
    assert info.value.code == code
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------------
# Other sources and details


def test_loaded_image_passthrough_and_rename() -> None:
    img = load_image(png_rgb(), name="a.png")
    assert load_image(img) is img
    renamed = load_image(img, name="b.png")
    assert renamed.name == "b.png" and renamed.sha256 == img.sha256 and renamed.rgb is img.rgb
    with pytest.raises(ImageInputError) as info:
        load_image(img, limits=SMALL_PIXELS)
    assert info.value.code == "too_many_pixels"


def test_bytearray_and_memoryview() -> None:
    data = png_rgb()
    assert load_image(bytearray(data)).sha256 == load_image(memoryview(data)).sha256
    assert load_image(data).name == "<bytes>"


def test_int_and_float_modes_scaled() -> None:
    from detector.imageio import _to_rgb_array

    notes: list[str] = []
    i32 = Image.fromarray(np.array([[0, 65535]], dtype=np.int32))
    assert _to_rgb_array(i32, notes)[0].tolist() == [[0, 0, 0], [255, 255, 255]]
    wide = Image.fromarray(np.array([[-100, 100]], dtype=np.int32))
    assert _to_rgb_array(wide, notes)[0, :, 0].tolist() == [0, 255]
    unit = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32))
    assert _to_rgb_array(unit, notes)[0, :, 0].tolist() == [0, 128, 255]
    nan = Image.fromarray(np.array([[np.nan, 2.0, 4.0]], dtype=np.float32))
    assert _to_rgb_array(nan, notes)[0, :, 0].tolist() == [0, 128, 255]


def test_leaves_pillow_globals_alone() -> None:
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageInputError):
        load_image(jpeg_cut())
    with pytest.raises(ImageInputError):
        load_image(png_huge_header())
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert before == Image.MAX_IMAGE_PIXELS


@pytest.mark.skipif(not (REALDEV / "labels.jsonl").is_file(), reason="../shared/realdev is not present")
def test_realdev_images_load_with_labelled_size() -> None:
    rows = [json.loads(line) for line in (REALDEV / "labels.jsonl").read_text().splitlines() if line.strip()]
    assert rows
    for row in rows:
        img = load_image(REALDEV / row["image"])
        assert img.rgb.shape == (row["height"], row["width"], 3), row["image"]
