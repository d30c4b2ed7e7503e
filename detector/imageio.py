"""Safe image input: bytes or a path in, an RGB ``uint8`` array out.

Everything closecheck analyses enters through :func:`load_image`. Input is treated as hostile:

* Size limits come first. A path is ``stat``-ed before it is read and is read at most
  ``max_bytes + 1`` bytes; the pixel count is checked from the header, before any pixel is decoded.
* The format is sniffed from the content (magic bytes), never from the file name. Accepted: PNG
  (also APNG), JPEG, WebP, GIF and BMP. Recognised but refused (``unsupported_format``): TIFF
  (a large decoder surface, multi-page, and never a phone screenshot), PDF, SVG, HEIC/AVIF, ICO,
  PSD, JPEG 2000/XL and the like.
* The decoder for the sniffed format is instantiated directly (``PngImageFile(fp)`` ...) rather
  than through ``Image.open``. ``Image.open`` compares the size with the process-global
  ``Image.MAX_IMAGE_PIXELS`` and *warns* (``DecompressionBombWarning``) between 1x and 2x of it;
  turning that warning into an error needs ``warnings.catch_warnings``, which mutates
  process-global state and is not thread-safe. Instead this module never touches
  ``Image.MAX_IMAGE_PIXELS`` or the warnings filters and enforces its own per-call
  :class:`ImageLimits` right after the (lazy) header parse. The two decoders that would allocate
  or check sizes while parsing the header are probed first: WebP (libwebp allocates the canvas
  when the decoder is created) and GIF (the first frame may enlarge the canvas), and PNG is
  walked chunk by chunk with every CRC verified, so a 100000x100000 IHDR is refused before
  Pillow sees it, and a damaged or cut PNG is always caught (Pillow does not check IDAT CRCs).
  Any ``DecompressionBombError`` Pillow still raises becomes ``too_many_pixels``.
* ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set here (it must stay ``False``, its default), so
  a cut-off file fails in ``load()``; every exception a decoder raises on hostile input is turned
  into an :class:`ImageInputError` with a one-line message. No traceback escapes.

Pixel modes are normalised to RGB: alpha (RGBA, LA, PA, palette or colour-key transparency) is
composited on white; 16-bit, 32-bit integer and float grey are scaled to 8 bits; CMYK is converted
(through the embedded ICC profile when there is one); the EXIF orientation is applied
(``ImageOps.exif_transpose``). An animated image yields its first frame. Each such step leaves a
note in :attr:`LoadedImage.notes`.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import IO, Final

import numpy as np
import numpy.typing as npt
from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    ImageFile,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
)

__all__ = ["ImageInputError", "ImageLimits", "LoadedImage", "load_image"]

ACCEPTED_FORMATS: Final = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
_ACCEPTED_TEXT: Final = "PNG, JPEG, WebP, GIF or BMP"
_MAX_DETAIL: Final = 160
_BYTES_NAME: Final = "<bytes>"


# --------------------------------------------------------------------------------------------
# Public types


@dataclass(frozen=True)
class ImageLimits:
    """Upper bounds on one input image: encoded size in bytes and decoded pixel count."""

    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 40_000_000

    def __post_init__(self) -> None:
        for attr in ("max_bytes", "max_pixels"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"ImageLimits.{attr} must be a positive int, got {value!r}")


class ImageInputError(ValueError):
    """The input is not an image closecheck can read.

    ``code`` is a short machine-readable reason: ``not_found``, ``not_a_file``, ``unreadable``,
    ``empty``, ``too_large_bytes``, ``not_image``, ``unsupported_format``, ``too_many_pixels``,
    ``truncated``, ``corrupt`` or ``out_of_memory``. ``str(error)`` is one human-readable line
    that starts with the file name when it is known.
    """

    code: str
    reason: str
    name: str | None

    def __init__(self, code: str, reason: str, name: str | None = None) -> None:
        self.code = code
        self.reason = _one_line(reason)
        self.name = name
        super().__init__(f"{_one_line(name)}: {self.reason}" if name else self.reason)

    def __reduce__(self) -> tuple[type[ImageInputError], tuple[str, str, str | None]]:
        # Keeps the error picklable across process pools despite the custom __init__.
        return (type(self), (self.code, self.reason, self.name))


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """A decoded image: ``rgb`` is a read-only, C-contiguous ``(H, W, 3)`` ``uint8`` array.

    ``eq=False``: instances compare by identity (comparing arrays field-wise is ambiguous);
    compare ``sha256`` to ask whether two loads came from the same bytes.
    """

    rgb: npt.NDArray[np.uint8]
    name: str
    format: str
    sha256: str
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        rgb = self.rgb
        if not (
            isinstance(rgb, np.ndarray) and rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
        ):
            raise ValueError("LoadedImage.rgb must be an (H, W, 3) uint8 array")

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


# --------------------------------------------------------------------------------------------
# Entry point


def load_image(
    source: bytes | str | os.PathLike[str] | os.PathLike[bytes] | LoadedImage,
    *,
    name: str | None = None,
    limits: ImageLimits = ImageLimits(),  # frozen, so a shared default is safe
) -> LoadedImage:
    """Read and decode one image safely.

    ``source`` is the encoded bytes (``bytes``, ``bytearray`` or ``memoryview``), a path, or an
    already :class:`LoadedImage` (returned as is, renamed when ``name`` is given, after the pixel
    limit is checked). ``name`` labels the result and error messages; it defaults to the path as
    given, or ``"<bytes>"`` for bytes (which error messages then leave out).

    Raises :class:`ImageInputError` for anything that is not a readable, supported image within
    ``limits``; ``TypeError`` only for a ``source`` of the wrong Python type.
    """
    if isinstance(source, LoadedImage):
        h, w = source.rgb.shape[:2]
        _check_pixels(w, h, limits, name or source.name, source.format)
        return source if name is None or name == source.name else replace(source, name=name)

    label: str | None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name
        _check_byte_count(len(data), limits, label)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fsdecode(source)
        label = name if name is not None else path
        data = _read_path(path, limits, label)
    else:
        raise TypeError(f"load_image() takes bytes, a path or a LoadedImage, not {type(source).__name__}")

    sha256 = hashlib.sha256(data).hexdigest()
    rgb, fmt, notes = _decode(data, limits, label)
    return LoadedImage(
        rgb=rgb,
        name=label if label is not None else _BYTES_NAME,
        format=fmt,
        sha256=sha256,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Reading


def _read_path(path: str, limits: ImageLimits, label: str) -> bytes:
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise ImageInputError("not_found", "file not found", label) from None
    except OSError as exc:
        raise ImageInputError("unreadable", f"cannot access file ({_os_reason(exc)})", label) from None
    except ValueError:  # e.g. an embedded NUL byte in the path
        raise ImageInputError("not_found", "invalid path", label) from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageInputError("not_a_file", "is a directory, not an image file", label)
    if not stat.S_ISREG(st.st_mode):
        # FIFOs, sockets and devices could block or never end.
        raise ImageInputError("not_a_file", "is not a regular file", label)
    _check_byte_count(st.st_size, limits, label)
    try:
        with open(path, "rb") as fh:
            # Bounded read: the file may have grown since stat().
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise ImageInputError("unreadable", f"cannot read file ({_os_reason(exc)})", label) from None
    _check_byte_count(len(data), limits, label)
    return data


def _check_byte_count(size: int, limits: ImageLimits, label: str | None) -> None:
    if size == 0:
        raise ImageInputError(
            "empty", "file is empty (0 bytes)" if label else "image data is empty (0 bytes)", label
        )
    if size > limits.max_bytes:
        raise ImageInputError(
            "too_large_bytes",
            f"{_fmt_bytes(size)} is over the {_fmt_bytes(limits.max_bytes)} size limit",
            label,
        )


def _check_pixels(width: int, height: int, limits: ImageLimits, label: str | None, fmt: str) -> None:
    if width <= 0 or height <= 0:
        raise ImageInputError("corrupt", f"{fmt} header gives an empty size {width}x{height}", label)
    pixels = width * height
    if pixels > limits.max_pixels:
        raise ImageInputError(
            "too_many_pixels",
            f"{width}x{height} is {_fmt_mp(pixels)}, over the {_fmt_mp(limits.max_pixels)} limit",
            label,
        )


# --------------------------------------------------------------------------------------------
# Sniffing


def _sniff(data: bytes) -> str:
    """The accepted format named by the content's magic bytes, else raise (the caller labels)."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM" and len(data) >= 26:
        return "BMP"
    other = _unsupported_kind(data)
    if other is not None:
        raise _Sniffed("unsupported_format", f"{other} is not supported; use {_ACCEPTED_TEXT}")
    if _looks_like_text(data):
        raise _Sniffed("not_image", f"not an image (the content is text); expected {_ACCEPTED_TEXT}")
    raise _Sniffed("not_image", f"not an image (unrecognised content); expected {_ACCEPTED_TEXT}")


class _Sniffed(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _unsupported_kind(data: bytes) -> str | None:
    head = data[:64]
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"%!PS"):
        return "PostScript"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC/HEIF"
        return "an ISO media (video) file"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "JPEG 2000"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return "JPEG XL"
    if head.startswith(b"\x00\x00\x01\x00") or head.startswith(b"\x00\x00\x02\x00"):
        return "ICO/CUR"
    if head.startswith(b"8BPS"):
        return "PSD"
    if head.startswith(b"qoif"):
        return "QOI"
    if head.startswith(b"DDS "):
        return "DDS"
    if (
        len(head) >= 2
        and head[0:1] == b"P"
        and head[1:2] in b"1234567"
        and head[2:3] in (b"\n", b" ", b"\r", b"\t")
    ):
        return "PNM"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip archive"
    text = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text and (
        text.startswith(b"<svg")
        or text.startswith(b"<?xml")
        or text.startswith(b"<!--")
        or text.startswith(b"<!doctype")
    ):
        return "SVG"
    return None


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a cut multi-byte sequence at the very end is fine
            return False
    return True


# --------------------------------------------------------------------------------------------
# Header probes (run before Pillow parses anything)


@dataclass(frozen=True)
class _Probe:
    size: tuple[int, int] | None = None
    bit_depth: int | None = None


def _probe_png(data: bytes) -> _Probe:
    """Walk every chunk, verifying lengths and CRCs; return the IHDR size and bit depth."""
    view = memoryview(data)
    n = len(data)
    pos = 8
    size: tuple[int, int] | None = None
    depth: int | None = None
    first = True
    while True:
        if pos + 8 > n:
            raise _Sniffed("truncated", "PNG data ends before the IEND chunk")
        length = int.from_bytes(view[pos : pos + 4], "big")
        ctype = bytes(view[pos + 4 : pos + 8])
        cname = ctype.decode("latin-1")
        if length > 0x7FFFFFFF:
            raise _Sniffed("corrupt", f"PNG chunk {cname!r} has an invalid length")
        end = pos + 12 + length
        if end > n:
            raise _Sniffed("truncated", f"PNG data ends inside the {cname!r} chunk")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise _Sniffed("corrupt", "PNG does not start with a valid IHDR chunk")
            w = int.from_bytes(view[pos + 8 : pos + 12], "big")
            h = int.from_bytes(view[pos + 12 : pos + 16], "big")
            size, depth = (w, h), view[pos + 16]
            first = False
        crc = int.from_bytes(view[end - 4 : end], "big")
        if zlib.crc32(view[pos + 4 : end - 4]) != crc:
            raise _Sniffed("corrupt", f"bad CRC in PNG chunk {cname!r}")
        if ctype == b"IEND":
            return _Probe(size=size, bit_depth=depth)
        pos = end


def _probe_webp(data: bytes) -> _Probe:
    riff_size = int.from_bytes(data[4:8], "little")
    if len(data) < riff_size + 8:
        raise _Sniffed("truncated", f"WebP data is cut short ({len(data)} of {riff_size + 8} bytes)")
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        w = int.from_bytes(data[26:28], "little") & 0x3FFF
        h = int.from_bytes(data[28:30], "little") & 0x3FFF
        return _Probe(size=(w, h))
    if chunk == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return _Probe(size=(w, h))
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return _Probe(size=((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
    raise _Sniffed("corrupt", "WebP header is not valid")


def _probe_gif(data: bytes) -> _Probe:
    """Logical screen size, enlarged by the first frame's extent as Pillow does."""
    n = len(data)
    if n < 13:
        raise _Sniffed("truncated", "GIF data ends inside the header")
    w = int.from_bytes(data[6:8], "little")
    h = int.from_bytes(data[8:10], "little")
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while pos < n:  # mirrors GifImagePlugin._seek(0), which skips bytes it does not know
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks until a zero length
            pos += 2
            while pos < n:
                length = data[pos]
                pos += 1 + length
                if length == 0:
                    break
        elif block == 0x2C:  # image descriptor
            if pos + 9 <= n:
                x0, y0, fw, fh = (int.from_bytes(data[pos + i : pos + i + 2], "little") for i in (1, 3, 5, 7))
                w, h = max(w, x0 + fw), max(h, y0 + fh)
            break
        else:
            pos += 1
    return _Probe(size=(w, h))


def _probe(fmt: str, data: bytes) -> _Probe:
    if fmt == "PNG":
        return _probe_png(data)
    if fmt == "WEBP":
        return _probe_webp(data)
    if fmt == "GIF":
        return _probe_gif(data)
    return _Probe()  # JPEG, BMP: Pillow reads the size lazily without allocating


# --------------------------------------------------------------------------------------------
# Decoding


_Opener = Callable[[IO[bytes]], ImageFile.ImageFile]


def _openers() -> dict[str, _Opener]:
    openers: dict[str, _Opener] = {
        "PNG": PngImagePlugin.PngImageFile,
        "JPEG": JpegImagePlugin.JpegImageFile,
        "GIF": GifImagePlugin.GifImageFile,
        "BMP": BmpImagePlugin.BmpImageFile,
    }
    try:
        from PIL import WebPImagePlugin

        if WebPImagePlugin.SUPPORTED:
            openers["WEBP"] = WebPImagePlugin.WebPImageFile
    except ImportError:  # pragma: no cover - Pillow built without libwebp
        pass
    return openers


_OPENERS: Final = _openers()

_ORIENTATION_TAG: Final = 0x0112
_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _decode(
    data: bytes, limits: ImageLimits, label: str | None
) -> tuple[npt.NDArray[np.uint8], str, list[str]]:
    try:
        fmt = _sniff(data)
        probe = _probe(fmt, data)
    except _Sniffed as exc:
        raise ImageInputError(exc.code, exc.reason, label) from None
    if probe.size is not None:
        _check_pixels(*probe.size, limits, label, fmt)
    opener = _OPENERS.get(fmt)
    if opener is None:
        raise ImageInputError("unsupported_format", f"{fmt} support is missing from this Pillow build", label)

    notes: list[str] = []
    try:
        im = opener(io.BytesIO(data))
    except Exception as exc:  # hostile input: anything a parser raises is a bad file
        raise _decode_error(exc, fmt, label) from None
    with im:
        _check_pixels(im.width, im.height, limits, label, fmt)
        frames = _frame_count(im)
        try:
            im.load()
        except Exception as exc:
            raise _decode_error(exc, fmt, label) from None
        if frames is None:
            notes.append("animated image: first frame used (later frames unreadable)")
        elif frames > 1:
            notes.append(f"animated image: first frame of {frames} used")
        try:
            oriented = _apply_orientation(im, notes)
            rgb = _to_rgb_array(oriented, notes)
        except ImageInputError as exc:
            raise ImageInputError(exc.code, exc.reason, label) from None
        except Exception as exc:
            raise _decode_error(exc, fmt, label) from None
    if probe.bit_depth == 16 and not any(n.startswith("16-bit") for n in notes):
        notes.append("16-bit scaled to 8-bit")
    rgb.flags.writeable = False
    return rgb, fmt, notes


def _frame_count(im: ImageFile.ImageFile) -> int | None:
    """Frames in the file (1 for a still image), or None when counting them failed."""
    try:
        return max(int(getattr(im, "n_frames", 1)), 1)  # Pillow restores the current frame
    except Exception:
        try:
            im.seek(0)
        except Exception:
            return 1
        return None


def _orientation(im: Image.Image, notes: list[str]) -> int:
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:
        notes.append("EXIF data unreadable: orientation not applied")
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _apply_orientation(im: Image.Image, notes: list[str]) -> Image.Image:
    orientation = _orientation(im, notes)
    if orientation == 1:
        return im
    try:
        out = ImageOps.exif_transpose(im)
    except Exception:  # a hostile EXIF block can fail to re-serialise; the pixels are fine
        out = im.transpose(_TRANSPOSE[orientation])
    notes.append(f"EXIF orientation {orientation} applied")
    return out


_ALPHA_MODES: Final = frozenset({"RGBA", "LA", "PA", "La", "RGBa"})
_TRNS_MODES: Final = frozenset({"1", "L", "P", "RGB"})


def _to_rgb_array(im: Image.Image, notes: list[str]) -> npt.NDArray[np.uint8]:
    mode = im.mode
    if mode in _ALPHA_MODES or (mode in _TRNS_MODES and "transparency" in im.info):
        return _composite_on_white(im.convert("RGBA"), notes)
    if mode == "RGB":
        return _rgb_of(im)
    if mode == "CMYK":
        return _rgb_of(_cmyk_to_rgb(im, notes))
    if mode.startswith("I;16"):
        notes.append("16-bit scaled to 8-bit")
        return _grey(_scale_16(np.asarray(im)))
    if mode == "I":
        return _grey(_scale_int(np.asarray(im), notes))
    if mode == "F":
        return _grey(_scale_float(np.asarray(im), notes))
    try:
        return _rgb_of(im.convert("RGB"))
    except ValueError:
        raise ImageInputError("unsupported_format", f"pixel mode {mode} is not supported") from None


def _rgb_of(im: Image.Image) -> npt.NDArray[np.uint8]:
    arr = np.asarray(im.convert("RGB") if im.mode != "RGB" else im, dtype=np.uint8)
    return np.ascontiguousarray(arr)


def _grey(arr: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return np.ascontiguousarray(np.repeat(arr[:, :, None], 3, axis=2))


def _composite_on_white(rgba: Image.Image, notes: list[str]) -> npt.NDArray[np.uint8]:
    alpha = rgba.getchannel("A")
    lowest = alpha.getextrema()[0]
    if isinstance(lowest, (int, float)) and lowest >= 255:
        return _rgb_of(rgba.convert("RGB"))
    out = Image.new("RGB", rgba.size, (255, 255, 255))
    out.paste(rgba.convert("RGB"), (0, 0), alpha)  # straight alpha: fg*a + white*(1-a)
    notes.append("alpha composited on white")
    return _rgb_of(out)


def _cmyk_to_rgb(im: Image.Image, notes: list[str]) -> Image.Image:
    icc = im.info.get("icc_profile")
    if isinstance(icc, bytes) and icc:
        try:
            from PIL import ImageCms

            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(im, src, dst, outputMode="RGB")
            if converted is not None:
                notes.append("CMYK converted to RGB with the embedded ICC profile")
                return converted
        except Exception:  # missing littlecms, or an unusable profile: fall back below
            pass
    notes.append("CMYK converted to RGB")
    return im.convert("RGB")


def _scale_16(arr: npt.NDArray[np.generic]) -> npt.NDArray[np.uint8]:
    wide = arr.astype(np.uint32)
    return ((wide + 128) // 257).astype(np.uint8)  # 0..65535 -> 0..255, rounded


def _stretch(arr: npt.NDArray[np.floating], lo: float, hi: float) -> npt.NDArray[np.uint8]:
    if hi <= lo:
        return np.zeros(arr.shape, dtype=np.uint8)
    scaled = (arr - lo) * (255.0 / (hi - lo))
    out: npt.NDArray[np.uint8] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return out


def _scale_int(arr: npt.NDArray[np.generic], notes: list[str]) -> npt.NDArray[np.uint8]:
    ints = arr.astype(np.int64)
    lo, hi = int(ints.min()), int(ints.max())
    if lo >= 0 and hi <= 0xFFFF:
        notes.append("16-bit scaled to 8-bit")
        return _scale_16(ints)
    notes.append(f"32-bit integer values {lo}..{hi} stretched to 8-bit")
    return _stretch(ints.astype(np.float64), float(lo), float(hi))


def _scale_float(arr: npt.NDArray[np.generic], notes: list[str]) -> npt.NDArray[np.uint8]:
    floats = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(floats.min()), float(floats.max())
    if lo >= 0.0 and hi <= 1.0:
        notes.append("floating-point values 0..1 scaled to 8-bit")
        return _stretch(floats, 0.0, 1.0)
    notes.append(f"floating-point values {lo:g}..{hi:g} stretched to 8-bit")
    return _stretch(floats, lo, hi)


# --------------------------------------------------------------------------------------------
# Errors and formatting


_TRUNCATION_HINTS: Final = ("truncated", "premature end", "unexpected end", "not enough data", "end of file")


def _decode_error(exc: BaseException, fmt: str, label: str | None) -> ImageInputError:
    if isinstance(exc, ImageInputError):
        return ImageInputError(exc.code, exc.reason, label)
    if isinstance(exc, Image.DecompressionBombError):
        return ImageInputError("too_many_pixels", f"{fmt} image is too large to decode safely", label)
    if isinstance(exc, MemoryError):
        return ImageInputError("out_of_memory", f"not enough memory to decode this {fmt} image", label)
    detail = _detail(exc)
    if isinstance(exc, EOFError) or any(h in detail.lower() for h in _TRUNCATION_HINTS):
        return ImageInputError("truncated", f"{fmt} data is truncated ({detail})", label)
    return ImageInputError("corrupt", f"{fmt} data is corrupt or unreadable ({detail})", label)


def _detail(exc: BaseException) -> str:
    text = _one_line(str(exc)) or type(exc).__name__
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _one_line(text: str | None) -> str:
    if not text:
        return ""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _fmt_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _fmt_mp(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} MP"
