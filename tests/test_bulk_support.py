"""Helpers for the bulk tests: small real screenshots drawn with Pillow and the CJK font.

Imported by the other ``test_bulk*`` modules; its own tests check the helpers.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SIZE = (360, 640)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default()


def _backdrop(seed: int) -> Image.Image:
    """A colourful gradient 'ad picture', different for every seed."""
    w, h = SIZE
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / h
        draw.line(
            [(0, y), (w, y)],
            fill=(int(40 + 150 * t + seed * 23) % 256, int(90 + seed * 37) % 256, int(200 - 120 * t) % 256),
        )
    draw.ellipse((60, 180, 300, 420), fill=((seed * 71) % 256, 200, 120))
    return image


def splash_with_skip(seed: int) -> Image.Image:
    """A splash ad with a 跳过 pill at the top right and an 广告 label."""
    image = _backdrop(seed)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((270, 30, 345, 64), radius=17, fill=(0, 0, 0))
    draw.text((284, 33), "跳过 3", font=_font(20), fill=(255, 255, 255))
    draw.text((12, 600), "广告", font=_font(16), fill=(255, 255, 255))
    return image


def splash_without_close(seed: int) -> Image.Image:
    """A splash ad with a jump hint and no close control at all: CLOSE_MISSING."""
    image = _backdrop(seed)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((60, 520, 300, 570), radius=25, fill=(255, 255, 255))
    draw.text((95, 530), "点击跳转详情页", font=_font(22), fill=(30, 30, 30))
    draw.text((12, 600), "广告", font=_font(16), fill=(255, 255, 255))
    return image


def plain_app_screen(seed: int) -> Image.Image:
    """An ordinary list screen with no overlay."""
    image = Image.new("RGB", SIZE, (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 360, 56), fill=(33, 150, 243))
    draw.text((16, 14), "设置", font=_font(22), fill=(255, 255, 255))
    for i, label in enumerate(["通知", "隐私", "账号与安全", "通用", "关于我们"]):
        y = 80 + i * 60 + seed
        draw.text((20, y), label, font=_font(20), fill=(30, 30, 30))
        draw.line([(0, y + 44), (360, y + 44)], fill=(220, 220, 220))
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def make_images(folder: Path, n: int) -> list[Path]:
    """``n`` distinct screenshots (a mix of kinds) written as PNG files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    makers = (splash_with_skip, splash_without_close, plain_app_screen)
    paths = []
    for i in range(n):
        path = folder / f"shot_{i:02d}.png"
        path.write_bytes(png_bytes(makers[i % len(makers)](i)))
        paths.append(path)
    return paths


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m detector.bulk ARGS`` in the repository, captured."""
    return subprocess.run(
        [sys.executable, "-m", "detector.bulk", *map(str, args)],
        cwd=REPO,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def test_make_images_are_distinct(tmp_path: Path) -> None:
    paths = make_images(tmp_path, 6)
    assert len({p.read_bytes() for p in paths}) == 6
    assert all(Image.open(p).size == SIZE for p in paths)
