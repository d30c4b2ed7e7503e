"""Screen understanding: find the window (a card over dimmed content) and name the screen type.

The decision is a short, readable list of cues rather than a learned model: what dismisses the
screen (× or 跳过 and where), what it invites (jump hints, calls to action, shake, ad label),
whether a card sits over a scrim, and how much text the page carries.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .measure import luminance_map
from .profile import RuleProfile
from .types import Box, Element, ElementKind, RuleId, ScreenType

# Working width for card finding: a card is large, so 360 px wide is plenty and keeps it ~5 ms.
_WORK_WIDTH = 360


@dataclass(frozen=True, slots=True)
class WindowCandidate:
    box: Box
    dim_ratio: float  # mean luminance outside the card / inside; < 1 means the outside is darker
    surround_peak: float  # luminance the brightest pixels around the card (beyond its margin) reach, 0-1


@dataclass(frozen=True, slots=True)
class ScreenDecision:
    screen_type: ScreenType
    window: Box | None
    confidence: float
    reason: str


def _work_image(rgb: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], float]:
    """The screenshot shrunk to the working width, and its scale (working px per original px)."""
    h, w = rgb.shape[:2]
    scale = _WORK_WIDTH / w if w > _WORK_WIDTH else 1.0
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.uint8), scale


def _system_bars(sh: int, density: float, profile: RuleProfile) -> tuple[int, int]:
    """Rows (working px) where the status bar ends and the navigation bar starts."""
    bar_top = round(profile.setting("units", "status_bar_dp") * density)
    return bar_top, max(bar_top + 1, sh - round(profile.setting("units", "navigation_bar_dp") * density))


def _peak_around(lum: npt.NDArray[np.float64], near: tuple[float, float, float, float], bars: tuple[int, int],
                 percentile: float) -> float:
    """The brightest luminance (at ``percentile``) outside ``near`` (x1, y1, x2, y2, working px),
    between the system bars, which a scrim may leave undimmed."""
    around = np.ones_like(lum, dtype=bool)
    around[: bars[0]] = around[bars[1]:] = False
    x1, y1, x2, y2 = near
    around[max(0, round(y1)) : round(y2), max(0, round(x1)) : round(x2)] = False
    return float(np.percentile(lum[around], percentile)) if around.any() else 1.0


def find_windows(rgb: npt.NDArray[np.uint8], *, profile: RuleProfile, colour: bool = False) -> list[WindowCandidate]:
    """Cards: closed, nearly rectangular edge contours of card size. A box shorter than
    ``screen.window_min_height`` (down to ``screen.centred_window_min_height``) is kept only
    centred in the screen's middle (``screen.centred_window_band``), where a short promotion
    card floats; :func:`classify_screen` then takes it only with a close control of its own.

    Ordered by preference: cards with a margin on both sides first (a pop-up floats; a full-width
    band is more often part of the page), then boxes that are not the dimmed page around a card,
    then larger ones. With ``colour``, edges are also taken in each colour channel: a picture
    card's border against a dimmed page can differ in hue more than in grey.
    """
    h, w = rgb.shape[:2]
    small, scale = _work_image(rgb)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    edges = _colour_canny(small) if colour else cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 20, 60)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    sh, sw = gray.shape
    screen_area = float(sh * sw)
    min_area = profile.setting("screen", "window_min_area") * screen_area
    max_area = profile.setting("screen", "window_max_area") * screen_area
    min_height = profile.setting("screen", "window_min_height") * sh
    centred_min_height = profile.setting("screen", "centred_window_min_height") * sh
    centred_band = profile.setting("screen", "centred_window_band") * sh
    lum = luminance_map(small)
    density = min(h, w) / profile.setting("units", "baseline_width_dp") * scale  # working px per dp
    bars = _system_bars(sh, density, profile)
    peak_q = profile.setting("screen", "surround_peak_percentile")
    near_x, near_y = profile.setting("screen", "window_near_x") * sw, profile.setting("screen", "window_near_y") * sh
    found: list[WindowCandidate] = []
    rects: list[tuple[int, int, int, int, float]] = []  # working px x1, y1, x2, y2 and mean luminance inside

    def candidate(x: int, y: int, cw: int, ch: int) -> tuple[WindowCandidate, float] | None:
        inside = lum[y : y + ch, x : x + cw]
        outside_mask = np.ones_like(lum, dtype=bool)
        outside_mask[y : y + ch, x : x + cw] = False
        outside = lum[outside_mask]
        if outside.size == 0 or inside.size == 0:
            return None
        dim = float((outside.mean() + 0.05) / (inside.mean() + 0.05))
        box = Box(x / scale, y / scale, (x + cw) / scale, (y + ch) / scale).clip(w, h)
        peak = _peak_around(lum, (x - near_x, y - near_y, x + cw + near_x, y + ch + near_y), bars, peak_q)
        return WindowCandidate(box=box, dim_ratio=dim, surround_peak=peak), float(inside.mean())

    for c in contours:
        x, y, cw, ch = cv2.boundingRect(c)
        area = float(cw * ch)
        if not (min_area <= area <= max_area) or cw < 0.4 * sw or ch < centred_min_height:
            continue
        if ch < min_height and abs(y + ch / 2 - sh / 2) > centred_band:
            continue  # a short box docked away from the middle is a banner or an info bar
        if cv2.contourArea(cv2.convexHull(c)) < 0.85 * area:
            continue
        made = candidate(x, y, cw, ch)
        if made is None or any(made[0].box.iou(f.box) > 0.9 for f in found):
            continue
        found.append(made[0])
        rects.append((x, y, x + cw, y + ch, made[1]))

    # an open sheet's top edge is sought in grey only: it is lighter than the dimmed page above
    # it, so grey shows it, and reading every colour edge row for it cost ~10 ms
    sheet_top = None if colour else _open_sheet_top(edges > 0, lum, bars, profile)
    if sheet_top is not None and min_area <= float(sw * (sh - sheet_top)) <= max_area and sh - sheet_top >= min_height:
        made = candidate(0, sheet_top, sw, sh - sheet_top)
        if made is not None and not any(made[0].box.iou(f.box) > 0.9 for f in found):
            found.append(made[0])
            rects.append((0, sheet_top, sw, sh, made[1]))

    # Under a scrim the page's own panels (a video card, a list) can close one contour with the
    # card above them. Such a box is no card: the part of it the inner card leaves is as dim as
    # the page around, while a card's own surface around its picture is not. A picture header
    # whose edges did not close with the card's body lies above it, drawn above the scrim: its
    # brightest pixels outshine the dimmed page beside the body, and the card is then the body's
    # columns from the first row of the header down.
    ring_limit = profile.setting("screen", "dim_luminance_ratio")
    header_margin = profile.setting("screen", "header_peak_margin")
    page_boxes: set[int] = set()
    for i, (ox1, oy1, ox2, oy2, _) in enumerate(rects):
        for j, (ix1, iy1, ix2, iy2, inner_mean) in enumerate(rects):
            nested = ox1 - 2 <= ix1 and oy1 - 2 <= iy1 and ix2 <= ox2 + 2 and iy2 <= oy2 + 2
            if i == j or not nested or found[j].box.area >= found[i].box.area:
                continue
            ring = np.ones((oy2 - oy1, ox2 - ox1), dtype=bool)
            ring[max(0, iy1 - oy1) : iy2 - oy1, max(0, ix1 - ox1) : ix2 - ox1] = False
            if not ring.any() or found[j].dim_ratio > ring_limit:
                continue
            ring_mean = float(lum[oy1:oy2, ox1:ox2][ring].mean())
            if (ring_mean + 0.05) / (inner_mean + 0.05) > ring_limit:
                continue
            above = lum[oy1 : max(oy1, iy1), ix1:ix2]
            beside = [a for a in (lum[iy2:oy2, ix1:ix2], lum[oy1:oy2, ox1 : max(ox1, ix1)],
                                  lum[oy1:oy2, ix2:ox2]) if a.size]
            if not beside:
                continue
            beside_peak = max(float(np.percentile(a, peak_q)) for a in beside)
            if above.size and float(np.percentile(above, peak_q)) > beside_peak + header_margin:
                # a picture header above the card's body: the card is the body's columns from
                # where the rows above it start to outshine the dimmed page
                lit = np.flatnonzero(above.max(axis=1) <= beside_peak + header_margin)
                top = oy1 + (int(lit[-1]) + 1 if lit.size else 0)
                made = candidate(ix1, top, ix2 - ix1, iy2 - top)
                if made is not None and iy2 - top >= min_height:
                    found[i], rects[i] = made[0], (ix1, top, ix2, iy2, made[1])
                break
            page_boxes.add(i)
            break

    # A picture header whose edges closed a contour of their own sits on top of the card's body,
    # side to side with it: the card is the two together (both boxes stay candidates).
    side_px = profile.setting("screen", "header_side_dp") * density
    overlap = profile.setting("screen", "header_body_overlap")
    for i, (bx1, by1, bx2, by2, _) in enumerate(list(rects)):
        for hx1, hy1, hx2, hy2, _ in list(rects):
            stacked = (hy1 < by1 and abs(hx1 - bx1) <= side_px and abs(hx2 - bx2) <= side_px
                       and by1 - side_px <= hy2 <= by1 + overlap * (by2 - by1))
            if not stacked or i in page_boxes:
                continue
            x1, x2 = min(bx1, hx1), max(bx2, hx2)
            area = float((x2 - x1) * (by2 - hy1))
            made = candidate(x1, hy1, x2 - x1, by2 - hy1) if min_area <= area <= max_area else None
            if made is not None and not any(made[0].box.iou(f.box) > 0.9 for f in found):
                found.append(made[0])
                rects.append((x1, hy1, x2, by2, made[1]))

    def preference(k: int) -> tuple[bool, bool, float]:
        f = found[k]
        margin = 0.02 * w
        floats = f.box.x1 > margin and f.box.x2 < w - margin
        return (not floats, k in page_boxes, -f.box.area)

    return [found[k] for k in sorted(range(len(found)), key=preference)]


def _open_sheet_top(edges: npt.NDArray[np.bool_], lum: npt.NDArray[np.float64], bars: tuple[int, int],
                    profile: RuleProfile) -> int | None:
    """The top edge (working px row) of a bottom sheet whose outline never closes: on a phone
    with gesture navigation a sheet runs into the screen's bottom and sides, and only its top edge
    shows. That is the lowest edge across the width (``screen.sheet_edge_cover`` of the columns
    between its rounded corners) with a scrim above it, the page's brightest pixels dimmed under
    ``screen.scrim_peak_luminance``, and the sheet's surface just under it lighter than the page
    just over it (``screen.dim_luminance_ratio``) and than any dimmed page (the scrim's peak) in as
    many columns and, past the sheet's rounded corners, at the screen's first and last columns;
    or, for a dark sheet, darker than the page just over it in as many columns and at those
    columns. ``None`` when no such edge."""
    sh, sw = edges.shape
    cover = profile.setting("screen", "sheet_edge_cover")
    scrim_peak = profile.setting("screen", "scrim_peak_luminance")
    peak_q = profile.setting("screen", "surround_peak_percentile")
    dim_limit = profile.setting("screen", "dim_luminance_ratio")
    # sampling geometry, not thresholds: a sheet's top corners are rounded by up to ~24 dp of a
    # 360-dp width, so the row is read from 10 % in on each side; the bands over and under the
    # edge are 1 % of the height (~8 dp), and the sides are read 3-6 bands below the edge, past
    # the corners' curve, in the outer 2 % of the columns
    corner = round(0.1 * sw)
    top, bottom = max(1, bars[0]), min(sh - 1, bars[1])
    for y in range(bottom - 2, top, -1):
        if edges[y - 1 : y + 2, corner : sw - corner].any(axis=0).mean() < cover:
            continue
        above = lum[top : y - 1]
        below = lum[y + 2 : bottom]
        if not below.size:
            continue  # the navigation bar's own top edge
        if not above.size:
            return None
        page_peak = float(np.percentile(above, peak_q))
        if page_peak >= scrim_peak:
            continue  # a line inside a sheet (its own light rows lie above it) or on a live page
        # right under the edge lies the sheet's own surface, lighter than the dimmed page right
        # above it all along the width (an app bar's lower edge has dimmed page on both sides)
        k = max(2, round(0.01 * sh))
        over = lum[max(0, y - 2 - k) : y - 2, corner : sw - corner].mean(axis=0)
        under = lum[y + 3 : y + 3 + k, corner : sw - corner].mean(axis=0)
        # (and brighter than a scrim lets any page be: a dimmed page under an app bar is no sheet)
        lit = (((over + 0.05) / (under + 0.05) <= dim_limit) & (under >= scrim_peak)).mean() \
            if under.size and over.size else 0.0
        # and it reaches both sides of the screen: past its rounded corners its surface lies at
        # the screen's first and last columns (a card's edge across most of the width leaves
        # the dimmed page there)
        sides = lum[y + 3 * k : y + 6 * k]
        edge_cols = max(1, round(0.02 * sw))
        reaches = bool(sides.size) and all(
            (float(over.mean()) + 0.05) / (float(col.mean()) + 0.05) <= dim_limit and float(col.mean()) >= scrim_peak
            for col in (sides[:, :edge_cols], sides[:, sw - edge_cols:]))
        if lit >= cover and reaches and float(np.percentile(below, peak_q)) > page_peak:
            return y
        break
    return _dark_sheet_top(edges, lum, (top, bottom), profile)


def _dark_sheet_top(edges: npt.NDArray[np.bool_], lum: npt.NDArray[np.float64], rows: tuple[int, int],
                    profile: RuleProfile) -> int | None:
    """The top edge of an open bottom sheet in a dark theme, darker than the dimmed page over it:
    the lowest edge across the width (as for a light sheet) with the page's brightest pixels
    above it dimmed under the scrim's peak, the page right over it lighter than the sheet right
    under it (``screen.dim_luminance_ratio``) along the width, and so at the screen's first and
    last columns, where the sheet's margins lie beside anything drawn on it, and with rounded top
    corners. Edges inside the sheet (a picture's, a button's) have the sheet's own surface over
    them at those columns."""
    sh, sw = edges.shape
    cover = profile.setting("screen", "sheet_edge_cover")
    scrim_peak = profile.setting("screen", "scrim_peak_luminance")
    peak_q = profile.setting("screen", "surround_peak_percentile")
    dim_limit = profile.setting("screen", "dim_luminance_ratio")
    corner, k, edge_cols = round(0.1 * sw), max(2, round(0.01 * sh)), max(1, round(0.02 * sw))
    top, bottom = rows
    for y in range(bottom - 2, top + k + 2, -1):
        if edges[y - 1 : y + 2, corner : sw - corner].any(axis=0).mean() < cover:
            continue
        above, below = lum[top : y - 1], lum[y + 2 : bottom]
        if not below.size or float(np.percentile(above, peak_q)) >= scrim_peak:
            continue
        over, under, sides = lum[y - 2 - k : y - 2], lum[y + 3 : y + 3 + k], lum[y + 3 * k : y + 6 * k]
        if not sides.size:
            continue
        darker = ((under[:, corner : sw - corner].mean(axis=0) + 0.05)
                  / (over[:, corner : sw - corner].mean(axis=0) + 0.05) <= dim_limit).mean()
        at_sides = all((float(sides[:, c].mean()) + 0.05) / (float(over[:, c].mean()) + 0.05) <= dim_limit
                       for c in (slice(0, edge_cols), slice(sw - edge_cols, sw)))
        # and its top corners are rounded, as sheets' are: right under the edge the screen's
        # outermost columns still show the page (a dark panel under a dark picture, an
        # interstitial's, has square corners)
        rounded = all((float(sides[:, c].mean()) + 0.05) / (float(lum[y + 2 : y + 4, c].mean()) + 0.05) <= dim_limit
                      for c in (slice(0, 2), slice(sw - 2, sw)))
        if (darker >= cover and at_sides and rounded
                and float(np.percentile(below, peak_q)) > float(np.percentile(above, peak_q))):
            return y
    return None
    return None


def _edge_map(rgb: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.bool_], float]:
    """Edges at the working width, in grey and in each colour channel (a dark blue card on a
    dimmed green page differs in hue, not in grey), with one-pixel wobble and small gaps along a
    line bridged. Returns the map and its scale (working px per original px)."""
    small, scale = _work_image(rgb)
    edges = cv2.dilate(_colour_canny(small), np.ones((2, 1), np.uint8))
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((1, 9), np.uint8))
    return edges > 0, scale


def _run_through(row: npt.NDArray[np.bool_], x: int, slack: int = 2) -> tuple[int, int] | None:
    """The run of edge pixels in ``row`` through column ``x`` (± ``slack``), as (x1, x2) exclusive."""
    n = len(row)
    hits = np.flatnonzero(row[max(0, x - slack) : min(n, x + slack + 1)])
    if hits.size == 0:
        return None
    c = max(0, x - slack) + int(hits[0])
    off = np.flatnonzero(~row)
    left = off[off < c]
    right = off[off > c]
    return (int(left[-1]) + 1 if left.size else 0, int(right[0]) if right.size else n)


def _card_sides(edges: npt.NDArray[np.bool_], x1: int, x2: int, start: int, step: int, *, min_height: float,
                side_reach: int, max_gap: int, min_cover: float) -> int | None:
    """From a card's known horizontal edge at row ``start``, follow its sides (edges within
    ``side_reach`` px outside x1 and x2) in direction ``step`` (-1 up, +1 down) while they last
    (gaps of at most ``max_gap`` rows); a row at least ``min_height`` rows away that is also a
    horizontal edge across the card (``min_cover`` of x1..x2) is the opposite edge. Going up, it is
    the nearest: beyond it the sides may run on through the page's own rows (a card that fades
    into the page above it). Going down from the top edge, it is the one where the sides end, when
    one does: a picture across the card's top ends in such an edge too, with the card's sides
    running on past it."""
    sh, sw = edges.shape
    left = slice(max(0, x1 - side_reach), x1 + 3)
    right = slice(max(0, x2 - 3), min(sw, x2 + side_reach))
    gap_l = gap_r = 0
    y = start + step
    across: list[int] = []
    last_side = start
    while 0 <= y < sh:
        gap_l = 0 if edges[y, left].any() else gap_l + 1
        gap_r = 0 if edges[y, right].any() else gap_r + 1
        if gap_l > max_gap or gap_r > max_gap:
            break
        if gap_l == 0 and gap_r == 0:
            last_side = y
        if abs(y - start) >= min_height and edges[y, x1:x2].mean() >= min_cover:
            across.append(y)
        y += step
    if not across:
        return None
    ending = [r for r in across if abs(r - last_side) <= max_gap]
    return ending[-1] if ending and step > 0 else across[0]


def window_from_close(rgb: npt.NDArray[np.uint8], close: Box, *, density: float, profile: RuleProfile,
                      inside_corner: bool = False) -> Box | None:
    """The card a sure close button belongs to, when the card's own edges are too faint for
    :func:`find_windows` or its scrim too light: the button centred just below a card's bottom
    edge (下方居中的关闭), or just above its top-right corner; with ``inside_corner``, instead, the
    button inside the card's top-right corner, where the card's contour merged with the page's
    panels it overlaps. The card's near edge is a long horizontal edge through the button's
    column; its sides are followed to the opposite edge. ``None`` when no floating card of window
    size is found that way."""
    edges, scale = _edge_map(rgb)
    sh, sw = edges.shape
    b = Box(close.x1 * scale, close.y1 * scale, close.x2 * scale, close.y2 * scale)
    reach = int(profile.value(RuleId.CLOSE_HARD_TO_FIND, "below_window_dp") * density * scale)
    min_w = 0.4 * sw
    min_h = profile.setting("screen", "window_min_height") * sh
    side_reach, max_gap = max(3, round(0.06 * sw)), max(3, round(0.05 * sh))
    cx = int(b.center[0])
    centre_tolerance = profile.setting("screen", "below_card_centre_dp") * density * scale
    card: tuple[int, int, int, int] | None = None
    if not (0 <= cx < sw):
        return None
    if inside_corner:  # the top edge above it, ending past its right side within the reach
        for y in range(min(sh, int(b.y1)) - 1, max(0, int(b.y1) - reach), -1):
            run = _run_through(edges[y], cx)
            if run and run[1] - run[0] >= min_w and b.x2 <= run[1] <= b.x2 + reach:
                # the edge may run on to the left into the page's panels the card overlaps: the
                # card's left side is then the first vertical edge that runs down from it
                below = edges[y + 1 : y + 1 + int(min_h), run[0] : max(run[0] + 1, run[1] - int(min_w))]
                lefts = [run[0]] + [run[0] + int(i) for i in np.flatnonzero(below.mean(axis=0) >= 0.85)]
                for left in lefts:
                    bottom = _card_sides(edges, left, run[1], y, 1, min_height=min_h, side_reach=side_reach,
                                         max_gap=max_gap, min_cover=0.85)
                    if bottom is not None:
                        card = (left, y, run[1], bottom)
                        break
                break
        return _card_box(edges, card, side_reach, scale, rgb.shape[:2])
    for y in range(min(sh, int(b.y1)) - 1, max(0, int(b.y1) - reach), -1):  # below-centre: the bottom edge above it
        run = _run_through(edges[y], cx)
        # the card is centred on its button: an end that runs on into the page's own edges
        # beside the card is cut back to the other end's distance
        half = min(cx - run[0], run[1] - cx) if run else 0
        if run and 2 * half >= min_w:
            # its sides are the widest pair of edges running up from the run that centre on the
            # button; failing that, the run cut back symmetric
            run = _centred_sides(edges, run, y, cx, min_width=min_w, min_height=min_h, reach=side_reach,
                                 tolerance=centre_tolerance) or (cx - half, cx + half)
            top = _card_sides(edges, run[0], run[1], y, -1, min_height=min_h, side_reach=side_reach,
                              max_gap=max_gap, min_cover=0.85)
            card = (run[0], top, run[1], y) if top is not None else None
            break
    if card is None:  # above the top-right corner: the top edge below it, ending under the button
        for y in range(max(0, int(b.y2) + 1), min(sh, int(b.y2) + reach)):
            run = _run_through(edges[y], min(sw - 1, max(0, int(b.x1) - 1)))
            if run and run[1] - run[0] >= min_w and b.x1 - b.width <= run[1] <= b.x2 + b.width:
                bottom = _card_sides(edges, run[0], run[1], y, 1, min_height=min_h, side_reach=side_reach,
                                     max_gap=max_gap, min_cover=0.85)
                card = (run[0], y, run[1], bottom) if bottom is not None else None
                break
    return _card_box(edges, card, side_reach, scale, rgb.shape[:2])


def _centred_sides(edges: npt.NDArray[np.bool_], run: tuple[int, int], y: int, cx: int, *, min_width: float,
                   min_height: float, reach: int, tolerance: float) -> tuple[int, int] | None:
    """The sides of a card whose bottom edge is the edge ``run`` at row ``y``: the widest pair of
    columns, within ``reach`` of the run, whose edges cover 85 % of the ``min_height`` rows above
    it and whose middle lies within ``tolerance`` of ``cx`` (the card's close button centred under
    it). Where the card's bottom edge runs on into the dimmed page's panels, the run is wider than
    the card, but only the card's own sides centre on its button. (x1, x2) exclusive, or ``None``."""
    x0, x9 = max(0, run[0] - reach), min(edges.shape[1], run[1] + reach)
    cover = edges[max(0, y - int(min_height)) : y, x0:x9].mean(axis=0)
    cols = x0 + np.flatnonzero(cover >= 0.85)
    lefts, rights = cols[cols < cx], cols[cols > cx]
    pairs = [(int(r) - int(lt), int(lt), int(r)) for lt in lefts for r in rights
             if r - lt >= min_width and abs((lt + r) / 2 - cx) <= tolerance]
    if not pairs:
        return None
    _, left, right = max(pairs)
    return left, right + 1


def _card_box(edges: npt.NDArray[np.bool_], card: tuple[int, int, int, int] | None, side_reach: int, scale: float,
              shape: tuple[int, int]) -> Box | None:
    """A card found by :func:`window_from_close` (working px), its sides moved out to where its
    rounded corners' vertical edges run, in screen px; ``None`` for none or a full-width band."""
    if card is None:
        return None
    sw = edges.shape[1]
    x1, y1, x2, y2 = card
    # a rounded card's horizontal edges stop where its corners curve: its sides lie a little outside
    rows = edges[y1 + (y2 - y1) // 4 : y2 - (y2 - y1) // 4]
    left, right = rows[:, max(0, x1 - side_reach) : x1 + 3].sum(axis=0), rows[:, max(0, x2 - 3) : x2 + side_reach].sum(axis=0)
    if left.size and left.max() >= 0.8 * len(rows):
        x1 = max(0, x1 - side_reach) + int(np.flatnonzero(left >= 0.8 * len(rows))[0])
    if right.size and right.max() >= 0.8 * len(rows):
        x2 = max(0, x2 - 3) + int(np.flatnonzero(right >= 0.8 * len(rows))[-1]) + 1
    if x1 <= 0.02 * sw or x2 >= 0.98 * sw:
        return None  # a pop-up card floats; a full-width band is the page
    return Box(x1 / scale, y1 / scale, x2 / scale, y2 / scale).clip(shape[1], shape[0])


def _colour_canny(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Canny edges in grey and in each colour channel (a dark blue card on a dimmed green page
    differs in hue, not in grey)."""
    edges = cv2.Canny(cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), (3, 3), 0), 20, 60)
    for channel in cv2.split(np.ascontiguousarray(rgb[:, :, :3])):
        edges = cv2.bitwise_or(edges, cv2.Canny(cv2.GaussianBlur(channel, (3, 3), 0), 20, 60))
    return np.asarray(edges, np.uint8)


def _local_edges(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Edges of a small region at full resolution, thickened by a pixel."""
    return np.asarray(cv2.dilate(_colour_canny(rgb), np.ones((2, 2), np.uint8)) > 0)


def _right_corner_picture(edges: npt.NDArray[np.bool_], cx: float, cy: float, side: float, lo: float,
                          hi: float, gap: int, max_aspect: float) -> tuple[int, int, int, int] | None:
    """A rectangle in ``edges`` whose top-right corner is at the × centred at (cx, cy): its top
    edge runs left from under the ×, its bottom edge spans the same columns lo..hi px lower, and
    both its sides run between them; gaps of up to ``gap`` px in its edges are bridged. Its
    bottom is moved down no further than ``max_aspect`` times its width (:func:`_lowest_bottom`).
    (x1, y1, x2, y2) or ``None``."""
    eh = edges.shape[0]
    probe = int(cx - 1.5 * side)
    if probe < 0:
        return None
    band = np.zeros_like(edges)  # each row with the rows above and below it: an edge wobbles a pixel
    band[1:-1] = edges[:-2] | edges[1:-1] | edges[2:]
    # and with short gaps bridged (screen.floating_outline_gap)
    band = cv2.morphologyEx(band.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8)) > 0
    tops = sorted(range(max(1, int(cy - 2 * side)), min(eh - 1, int(cy + side))), key=lambda y: abs(y - cy))
    for yt in tops:  # the × sits on the corner: the nearest top edge first
        run = _run_through(band[yt], probe)
        if run is None or run[1] < cx - 2 * side or not 0.6 * lo <= run[1] - run[0] <= hi + side:
            continue
        a, b = run
        reach = max(3, int(side))
        for yb in range(yt + int(lo), min(eh - 1, yt + int(hi) + 1)):
            # the bottom edge under the same column, ending where the top one does (the picture's
            # right side); either may run on past the picture's left side into the page's own
            # edges (a thumbnail's border level with it), so the shorter one gives the width
            bottom = _run_through(band[yb], probe)
            if (bottom is None or not 0.6 * lo <= bottom[1] - bottom[0] <= hi + side
                    or abs(bottom[1] - b) > reach):
                continue
            rows = edges[yt + (yb - yt) // 4 : yb - (yb - yt) // 4]
            cover = rows.mean(axis=0)
            right = np.flatnonzero(cover[max(0, min(b, bottom[1]) - 3) : max(b, bottom[1]) + reach] >= 0.8)
            # the left side under the shorter edge's end, or, when one edge faded short of it,
            # under the longer one's
            for inner_left in dict.fromkeys((max(a, bottom[0]), min(a, bottom[0]))):
                left = np.flatnonzero(cover[max(0, inner_left - reach) : inner_left + 3] >= 0.8)
                if left.size and right.size:
                    x1 = max(0, inner_left - reach) + int(left[0])
                    x2 = max(0, min(b, bottom[1]) - 3) + int(right[-1]) + 1
                    if not _crossed(edges[yt + 3 : yb - 2], x1, reach):
                        lowest = min(hi, max_aspect * (x2 - x1))
                        return (x1, yt, x2, _lowest_bottom(edges, band, (x1, yt, x2, yb), probe, lowest, reach) + 1)
    return None


def _lowest_bottom(edges: npt.NDArray[np.bool_], band: npt.NDArray[np.bool_], rect: tuple[int, int, int, int],
                   probe: int, hi: float, reach: int) -> int:
    """The picture's bottom edge: the first one found may be a line of the picture's own art
    (a band across it); a lower edge of the same span that the picture's sides run down to is
    the real one, down to ``hi`` below the top. The sides are looked for within ``reach`` inside
    the corners, which round. A floating picture over a page's own picture can have that
    picture's bottom edge under it, of nearly the same span: so the caller's ``hi`` keeps the
    picture as square as a floating picture is (``screen.floating_max_aspect``)."""
    x1, yt, x2, yb = rect
    for y in range(yb + 1, min(edges.shape[0] - 1, yt + int(hi) + 1)):
        run = _run_through(band[y], probe)
        if run is None or abs(run[1] - x2) > reach or run[0] > x1 + reach:
            continue
        stretch = edges[yb:y]
        left = stretch[:, max(0, x1 - 2) : x1 + reach].any(axis=1).mean()
        right = stretch[:, max(0, x2 - reach) : x2 + 2].any(axis=1).mean()
        if left < 0.8 or right < 0.8:
            break  # the sides stop: what lies lower is the page's
        yb = y
    return yb


def _edge_runs(line: npt.NDArray[np.bool_], gap: int) -> list[tuple[int, int]]:
    """The runs of edge pixels along ``line`` as (start, end) exclusive, gaps of up to ``gap`` px bridged."""
    if not line.any():
        return []
    closed = cv2.morphologyEx(line.astype(np.uint8).reshape(-1, 1), cv2.MORPH_CLOSE,
                              np.ones((2 * gap + 1, 1), np.uint8)).ravel() > 0
    steps = np.diff(np.concatenate([[0], closed.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(steps == 1).tolist(), np.flatnonzero(steps == -1).tolist(), strict=True))


def _longest_run(line: npt.NDArray[np.bool_], gap: int) -> tuple[int, int] | None:
    return max(_edge_runs(line, gap), key=lambda r: r[1] - r[0], default=None)


def _run_length(line: npt.NDArray[np.bool_], gap: int) -> int:
    run = _longest_run(line, gap)
    return run[1] - run[0] if run else 0


def trim_card(rgb: npt.NDArray[np.uint8], window: Box, *, density: float, profile: RuleProfile) -> Box:
    """A card's box cut back to the card's own sides where the contour that gave it took in the
    dimmed page's panels the card overlaps (a search field or a banner whose outline touches the
    card's): the page's panels stack with gaps, so their sides are broken, while a card's side is
    one unbroken edge. Each side that a column further in (within ``screen.card_trim_band`` of the
    box) outruns by ``screen.card_trim_ratio`` in its longest unbroken edge, and by at least a
    short card's height, moves in to it; when one did, the top and bottom move to where the new
    sides' edges start and end, each confirmed by an edge across the card there. A side on the
    screen's border (a sheet) or in the navigation bar stays: the screen's edge draws no line."""
    h, w = rgb.shape[:2]
    small, scale = _work_image(rgb)
    edges = cv2.dilate(_colour_canny(small), np.ones((3, 3), np.uint8)) > 0
    sh, sw = edges.shape
    gap = max(1, round(profile.setting("screen", "card_side_gap_dp") * density * scale))
    band = profile.setting("screen", "card_trim_band")
    ratio = profile.setting("screen", "card_trim_ratio")
    min_side = profile.setting("screen", "centred_window_min_height") * sh
    cover = profile.setting("screen", "card_edge_cover")
    margin = profile.setting("screen", "card_float_margin") * sw
    x1, y1 = max(1, round(window.x1 * scale)), max(1, round(window.y1 * scale))
    x2, y2 = min(sw - 2, round(window.x2 * scale)), min(sh - 2, round(window.y2 * scale))
    if x2 - x1 < 4 or y2 - y1 < 4:
        return window

    def column(x: int) -> npt.NDArray[np.bool_]:
        return np.asarray(edges[y1:y2, max(0, x - 1) : x + 2].any(axis=1))

    def inner_side(positions: range) -> int | None:
        outer = max(_run_length(column(x), gap) for x in positions[:3])
        return next((x for x in positions if _run_length(column(x), gap) >= max(min_side, ratio * outer)), None)

    reach = round(band * (x2 - x1))
    moved = False
    if x1 > margin and (x := inner_side(range(x1, x1 + reach))) is not None:
        x1, moved = x, True
    if x2 < sw - margin and (x := inner_side(range(x2, x2 - reach, -1))) is not None:
        x2, moved = x, True
    left, right = _longest_run(column(x1), gap), _longest_run(column(x2), gap)
    if moved and left and right and min(left[1] - left[0], right[1] - right[0]) >= 0.5 * (y2 - y1):
        width = x2 - x1
        corner = max(4, round(profile.setting("screen", "card_corner_reach") * width))

        def across(lo: int, hi: int) -> int | None:
            rows = range(max(0, lo), min(sh, hi))
            best = max(rows, key=lambda y: _run_length(edges[y, x1:x2], gap), default=None)
            return best if best is not None and _run_length(edges[best, x1:x2], gap) >= cover * width else None

        # the sides' edges start and end a corner's radius inside a rounded card's top and bottom
        top, bottom = y1 + max(left[0], right[0]), y1 + min(left[1], right[1])
        nav_top = _system_bars(sh, min(h, w) / profile.setting("units", "baseline_width_dp") * scale, profile)[1]
        if bottom - top >= min_side:
            if (t := across(top - corner, top + 4)) is not None and t > y1:
                y1 = t
            if y2 < nav_top and (b := across(bottom - 3, bottom + corner)) is not None and b + 1 < y2:
                y2 = b + 1
    if not moved:
        return window
    return Box(x1 / scale, y1 / scale, x2 / scale, y2 / scale).clip(w, h)


def _crossed(rows: npt.NDArray[np.bool_], x: int, reach: int) -> bool:
    """Whether a horizontal edge in ``rows`` runs through column ``x`` from ``reach`` px on one
    side to ``reach`` px on the other: a line of the page passing through, so ``x`` is no
    picture's side (the page under a floating picture stops at its sides; the picture's own art
    stops inside them)."""
    for row in rows:
        run = _run_through(row, x + 3)
        if run is not None and run[0] < x - reach and run[1] > x + reach:
            return True
    return False


def floating_picture(rgb: npt.NDArray[np.uint8], close: Box, *, density: float, profile: RuleProfile) -> Box | None:
    """The small floating ad picture (悬浮广告) a × sits on: a bounded, roughly square picture
    (``floating_max_aspect``) of ``floating_min_dp``..``floating_max_dp`` at the screen's side
    (``floating_edge_dp``), the × on or just above its top-right or top-left corner, and no
    picture of its size beside, above or below it (a photo grid's or a list's thumbnails carry a
    remove × at the same corner). No scrim dims the page under
    it, so :func:`find_windows` never sees it. ``None`` when no such picture holds the ×."""
    h, w = rgb.shape[:2]
    lo, hi = (profile.setting("screen", k) * density for k in ("floating_min_dp", "floating_max_dp"))
    edge = profile.setting("screen", "floating_edge_dp") * density
    max_aspect = profile.setting("screen", "floating_max_aspect")
    cx, cy = close.center
    # how far off the picture's corner the × may sit: its own size, at least floating_corner_dp
    side = max(close.width, close.height, profile.setting("screen", "floating_corner_dp") * density)
    sibling = profile.setting("screen", "floating_sibling_tolerance")
    gap = max(3, int(profile.setting("screen", "floating_outline_gap") * lo))
    y1, y2 = max(0, int(cy - 0.6 * hi)), min(h, int(cy + 1.8 * hi))
    # the × on the top-right corner of a picture at the right side, or on the top-left one at the left
    for mirrored in (False, True):
        if (cx < w - edge - side) if not mirrored else (cx > edge + side):
            continue
        x1, x2 = (max(0, int(cx - 2.5 * hi)), min(w, int(cx + side))) if not mirrored else \
                 (max(0, int(cx - side)), min(w, int(cx + 2.5 * hi)))
        region = np.ascontiguousarray(rgb[y1:y2, x1:x2, :3])
        if region.shape[0] < lo or region.shape[1] < lo:
            continue
        edges = _local_edges(region)
        lx = cx - x1
        if mirrored:
            edges, lx = edges[:, ::-1], (x2 - x1) - lx
        found = _right_corner_picture(edges, lx, cy - y1, side, lo, hi, gap, max_aspect)
        if found is None:
            continue
        fx1, fy1, fx2, fy2 = found
        if abs(lx - fx2) > side or abs(cy - y1 - fy1) > side:
            continue  # a mark inside the picture (its own art, its call to action), not on its corner
        long_side, short_side = max(fx2 - fx1, fy2 - fy1), min(fx2 - fx1, fy2 - fy1)
        if (not (lo <= short_side and long_side <= hi) or long_side > max_aspect * short_side
                or _has_sibling(edges, found, side, sibling)):
            continue
        if mirrored:
            fx1, fx2 = (x2 - x1) - fx2, (x2 - x1) - fx1
        return Box(x1 + fx1, y1 + fy1, x1 + fx2, y1 + fy2)
    return None


def _has_sibling(edges: npt.NDArray[np.bool_], pic: tuple[int, int, int, int], side: float,
                 tolerance: float) -> bool:
    """Whether a picture of about the same size (within ``tolerance``) lines up with ``pic``
    beside it (a grid of thumbnails) or above or below it (a list's thumbnails): a floating
    picture stands alone."""
    x1, y1, x2, y2 = pic
    pw, ph = x2 - x1, y2 - y1
    eh = edges.shape[0]

    def similar(run: tuple[int, int] | None, length: int) -> bool:
        return run is not None and (1 - tolerance) * length <= run[1] - run[0] <= (1 + tolerance) * length

    beside = x1 - pw // 2  # the middle of a neighbour to the left

    def neighbour(run: tuple[int, int] | None) -> bool:
        # a neighbour ends before this picture starts (the edge map is thickened by a pixel or
        # two); a top edge that runs on into this one's is a line of the page level with it
        return similar(run, pw) and run is not None and run[1] <= x1 + 2

    if beside > 0 and any(neighbour(_run_through(edges[y], beside))
                          for y in range(max(0, y1 - int(side)), min(eh, y1 + int(side)))):
        return True
    mid = (x1 + x2) // 2

    def spans_row(y: int) -> bool:
        return similar(_run_through(edges[y], mid), pw)

    # The picture's own top and bottom edges can be several rows thick (a soft border, a shadow):
    # the rows next to them that carry the same span are still that edge, not a neighbour's.
    top, bottom = y1, y2 - 1
    while top > 0 and spans_row(top - 1):
        top -= 1
    while bottom < eh - 1 and spans_row(bottom + 1):
        bottom += 1
    below = range(bottom + 1 + max(2, int(0.05 * ph)), min(eh, y2 + int(0.6 * ph)))  # the next one's top edge
    # the top edge is found near the × that straddles the corner, up to half its size off
    above = range(max(0, y1 - int(0.6 * ph)), max(0, top - max(2, int(0.05 * ph), int(side / 2))))  # the previous one's bottom
    return any(spans_row(y) for y in (*below, *above))


def _in_top_band(e: Element, height: int, fraction: float) -> bool:
    return e.box.center[1] < fraction * height


def _top_right(e: Element, width: int, height: int, fraction: float) -> bool:
    return e.box.center[1] < fraction * height and e.box.center[0] > 0.75 * width


def _top_corner(e: Element, width: int, height: int, fraction: float) -> bool:
    return e.box.center[1] < fraction * height and not 0.25 * width <= e.box.center[0] <= 0.75 * width


def _live_page(rgb: npt.NDArray[np.uint8], texts: Sequence[Element], near: Box, *, density: float,
               profile: RuleProfile) -> bool:
    """Whether the dark surround of a card is a page in a dark theme rather than a scrim.

    A scrim dims everything behind the card: white text under the lightest common scrim (32 %
    black) comes out at luminance ~0.42. Bright text lines away from the card (beyond its near
    margin, below the status bar, which the system may leave undimmed) are live page content;
    an overlay's own decorations there are a title or a button or two.
    """
    h, w = rgb.shape[:2]
    strip = profile.setting("units", "status_bar_dp") * density
    bright = profile.setting("screen", "live_text_min_luminance")
    count = 0
    for e in texts:
        cx, cy = e.box.center
        if near.contains_point(cx, cy) or cy < strip:
            continue
        x1, y1, x2, y2 = e.box.clip(w, h).to_int()
        if x2 - x1 < 2 or y2 - y1 < 2:
            continue
        if float(np.percentile(luminance_map(rgb[y1:y2, x1:x2]), 95)) >= bright:
            count += 1
    return count >= profile.setting("screen", "live_page_bright_lines")


def _dialog_card(card: Box, near: Box, elements: Sequence[Element], text_closes: Sequence[Element]) -> bool:
    """Whether a card over a scrim reads as a dialog: its own text carries dialog wording (权限, 更新,
    隐私 …), or a dismiss text sits on it or just beside it and it carries no ad label. Only the
    card counts: the dimmed page under the scrim has wording of its own (评分 4.8 under a shop's
    name, 通知 in a feed). An ad label on the card (广告, 推广, AdChoices) makes a card with only a
    dismiss text (下次再说 under 立即安装) an ad pop-up; wording wins over it, since a found card can
    take in a strip of the page around a small dialog, ad banner included (realdev edjing)."""
    on_card = [e for e in elements if card.contains_point(*e.box.center)]
    if any(e.source == "ocr" and e.attr("dialog_word") for e in on_card):
        return True
    return (any(near.contains_point(*e.box.center) for e in text_closes)
            and not any(e.kind == ElementKind.AD_LABEL for e in on_card))


def surround_peak(rgb: npt.NDArray[np.uint8], window: Box, profile: RuleProfile) -> float:
    """The brightest luminance (``surround_peak_percentile``) of the screen away from a card and
    its near margin, between the system bars: what the scrim lets the page be."""
    h, w = rgb.shape[:2]
    small, scale = _work_image(rgb)
    lum = luminance_map(small)
    bars = _system_bars(lum.shape[0], min(h, w) / profile.setting("units", "baseline_width_dp") * scale, profile)
    x1, y1, x2, y2 = (v * scale for v in near_window(window, w, h, profile).to_list())
    return _peak_around(lum, (x1, y1, x2, y2), bars, profile.setting("screen", "surround_peak_percentile"))


def under_scrim(rgb: npt.NDArray[np.uint8], box: Box, window: Box, page_peak: float, profile: RuleProfile, *,
                plain: bool = False) -> bool:
    """Whether a control outside the card shows the dimmed page's own whites: its brightest
    pixels as bright as the page's around it (``page_peak``, :func:`surround_peak`), within
    ``scrim_ink_min_ratio`` below and ``scrim_peak_tolerance`` above, while that page is dimmed
    (under ``scrim_peak_luminance``): it was drawn under the scrim, with the page. An overlay's
    own close button is drawn above the scrim, brighter than anything it lets through, or, when
    deliberately faint, darker than the dimmed page's whites, where brightness says nothing. A
    ``plain`` glyph (no button of its own) drawn in dark ink tells nothing either: its box is
    mostly the page beneath."""
    if window.contains_point(*box.center) or page_peak >= profile.setting("screen", "scrim_peak_luminance"):
        return False
    h, w = rgb.shape[:2]
    x1, y1, x2, y2 = (int(v) for v in box.clip(w, h).to_list())
    patch = rgb[y1:max(y2, y1 + 1), x1:max(x2, x1 + 1)]
    if patch.size == 0:
        return False
    lum = luminance_map(np.ascontiguousarray(patch))
    q = profile.setting("screen", "surround_peak_percentile")
    if plain:
        peak = float(np.percentile(lum, q))
        ground = float(np.median(np.concatenate([lum[0], lum[-1], lum[:, 0], lum[:, -1]])))
        if ground - float(np.percentile(lum, 100 - q)) > peak - ground:
            return False  # dark ink
    else:  # a button's own pixels: the disc or rounded square inside its box, not the page at its corners
        ph, pw = lum.shape
        yy, xx = np.ogrid[:ph, :pw]
        inside = ((xx + 0.5 - pw / 2) / (pw / 2)) ** 2 + ((yy + 0.5 - ph / 2) / (ph / 2)) ** 2 <= 1.0
        peak = float(np.percentile(lum[inside], q))
    # as bright as the dimmed page's whites: light ink under the scrim. Far darker, nothing shows
    # which side of the scrim it is on (a deliberately faint close button above it looks the same)
    low = profile.setting("screen", "scrim_ink_min_ratio") * page_peak
    return low <= peak <= page_peak + profile.setting("screen", "scrim_peak_tolerance")


def beside_window(box: Box, window: Box) -> bool:
    """Whether a control sits off a card's left or right side, level with the card's body (more
    than its own height below the top edge and above the bottom edge). A card's own close button
    sits on or above a top corner, or below the card; beside its body sit the dimmed page's
    controls that the card half hides (a banner's ▷× mark, a search field's clear button)."""
    cx, cy = box.center
    return not window.x1 <= cx <= window.x2 and window.y1 + box.height < cy < window.y2 - box.height


def cut_by_window(button: Box, window: Box, *, tolerance_px: float, max_aspect: float) -> bool:
    """Whether a button outside a card is cut off by the card: its box ends at one of the card's
    edges (within ``tolerance_px``) and is shorter across that edge than along it (at most
    ``max_aspect``), where a disc or a rounded square is as wide as it is tall. The card hides the
    rest of it, so it lies under the card, on the page (a search field's clear disc the card half
    covers); an overlay's own close button is drawn above the card and shows whole."""
    if window.contains_point(*button.center) or min(button.width, button.height) <= 0:
        return False
    rows_overlap = button.y1 < window.y2 and button.y2 > window.y1
    cols_overlap = button.x1 < window.x2 and button.x2 > window.x1
    at_side = rows_overlap and min(abs(button.x1 - window.x2), abs(button.x2 - window.x1)) <= tolerance_px
    at_end = cols_overlap and min(abs(button.y1 - window.y2), abs(button.y2 - window.y1)) <= tolerance_px
    return (at_side and button.width <= max_aspect * button.height) or (
        at_end and button.height <= max_aspect * button.width)


def near_window(window: Box, width: int, height: int, profile: RuleProfile) -> Box:
    """The card and the margin around it where its own close button sits."""
    return window.expand(profile.setting("screen", "window_near_x") * width,
                         profile.setting("screen", "window_near_y") * height)


def _closes_away(decided: ScreenDecision, closes: Sequence[Element], width: int, height: int,
                 profile: RuleProfile) -> int:
    """How far the decided window's nearest close control is: 0 on it, 1 beside it, 2 neither."""
    if decided.window is None:
        return 2
    if any(decided.window.contains_point(*e.box.center) for e in closes):
        return 0
    near = near_window(decided.window, width, height, profile)
    return 1 if any(near.contains_point(*e.box.center) for e in closes) else 2


def classify_screen(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    *,
    profile: RuleProfile,
    min_icon_score: float,
    text_lines: int | None = None,
    windows: Sequence[WindowCandidate] | None = None,
) -> ScreenDecision:
    """Name the screen type and its window from the elements found on it.

    In order: a skip control in the top band makes a splash; a card over a scrim (a surround
    darker than the card or, behind a dark card, one with nothing as bright as an undimmed page)
    that holds a close control, or sits over a very dark scrim, or carries an ad cue, or has a
    close control elsewhere on the dimmed screen, makes a dialog (dialog wording on the card, or
    dismiss text on it and no ad label) or a pop-up; a full-screen page with a close control and
    ad cues, dismiss text, or a × in the top-right corner makes an interstitial; a dense page
    with no ad cue is an ordinary screen. Cards are tried in order of evidence: boxes of grey
    edges, then the cards close buttons name, then boxes of colour edges that hold a close
    control. ``windows`` are the grey-edge boxes when the caller found them already
    (:func:`find_windows`).
    """
    h, w = rgb.shape[:2]
    full = Box(0, 0, w, h)
    top_band = profile.setting("screen", "top_band_fraction")
    dense_lines = profile.setting("screen", "dense_text_lines")
    dim_limit = profile.setting("screen", "dim_luminance_ratio")
    strong_dim = profile.setting("screen", "strong_dim_ratio")
    scrim_peak = profile.setting("screen", "scrim_peak_luminance")

    closes = [e for e in elements if e.kind.is_close_control and (e.source == "ocr" or e.score >= min_icon_score)]
    texts = [e for e in elements if e.source == "ocr"]
    kinds = {e.kind for e in elements}
    invites = bool(kinds & {ElementKind.JUMP_HINT, ElementKind.SHAKE})  # the screen asks to jump away
    strong_ad = invites or (ElementKind.AD_LABEL in kinds)
    dialog_words = sum(1 for e in texts if e.attr("dialog_word"))
    dense = (text_lines if text_lines is not None else len(texts)) >= dense_lines
    text_closes = [e for e in closes if e.kind != ElementKind.CLOSE_ICON]

    skip_top = [
        e for e in text_closes
        if _in_top_band(e, h, top_band) and not e.attr("weak_close") and e.box.center[0] > w / 2
        and not e.attr("blocks_close")  # "Close in 6s" locks a video ad; a splash offers 跳过 at once
    ]
    if skip_top and (not dense or invites or any(e.kind == ElementKind.CLOSE_COUNTDOWN for e in skip_top)):
        return ScreenDecision(ScreenType.SPLASH, full, 0.8, f"dismiss control {skip_top[0].text!r} in the top band")
    # A skip that counts down (跳过 3) is the splash screen's signature in whichever screen corner
    # it is moved to (a bottom corner above the logo strip, the top left); an in-app ad is closed
    # by a × or says when it may be.
    side = profile.setting("second_look", "corner_width_fraction") * w
    bottom = (1 - profile.setting("second_look", "bottom_corner_fraction")) * h
    counting = [e for e in text_closes if e.kind == ElementKind.CLOSE_COUNTDOWN and not e.attr("weak_close")
                and not e.attr("blocks_close") and not side <= e.box.center[0] <= w - side
                and not top_band * h <= e.box.center[1] <= bottom]
    if counting and (not dense or invites):
        return ScreenDecision(ScreenType.SPLASH, full, 0.7, f"a skip control counting down: {counting[0].text!r}")

    corner_score = profile.setting("screen", "corner_icon_min_score")
    density = min(w, h) / profile.setting("units", "baseline_width_dp")
    corner_px = profile.setting("screen", "corner_icon_min_dp") * density
    # A sure close button centred under a card or above its corner names the card even when
    # its edges are faint or its scrim light (a dark card on a dimmed dark page).
    sure_icons = [e for e in sorted(closes, key=lambda e: -e.score)
                  if e.kind == ElementKind.CLOSE_ICON and e.score >= corner_score
                  and min(e.box.width, e.box.height) >= corner_px and not _top_right(e, w, h, top_band)]
    @functools.cache  # a card is sought once per close button and way, however many boxes ask
    def card_named(close: Box, inside_corner: bool = False) -> Box | None:
        return window_from_close(rgb, close, density=density, profile=profile, inside_corner=inside_corner)

    named_by = [(e, card_named(e.button or e.box)) for e in sure_icons]
    sure_closes = [e for e, c in named_by if c is not None]
    close_cards = [c for _, c in named_by if c is not None]

    def card_over_scrim(win: WindowCandidate, *, needs_close: bool = False) -> ScreenDecision | None:
        """The pop-up or dialog a box found by its edges is, or ``None`` when it is the page's;
        with ``needs_close``, only a box with a close control on or beside it is one."""
        floats = win.box.x1 > 0.02 * w and win.box.x2 < 0.98 * w
        # a bottom sheet may span the width; one reaching up into the top band is the page under
        # its app bar (a dark bar over a light page reads as a scrim around a card)
        sheet = win.box.y2 > 0.97 * h and win.box.y1 >= top_band * h
        if not (floats or sheet):
            return None
        near = near_window(win.box, w, h, profile)
        # A scrim shows as a surround darker than the card or, behind a dark card, as a surround
        # with nothing in it as bright as an undimmed page's white (a dark-theme page has live
        # bright text lines instead).
        dark_surround = win.surround_peak < scrim_peak
        if win.dim_ratio > dim_limit and not dark_surround:
            return None
        live = _live_page(rgb, texts, near, density=density, profile=profile)
        if win.dim_ratio > dim_limit and live:
            return None
        inside = [e for e in closes if near.contains_point(*e.box.center)]
        # With no close control on or beside it, the card is a pop-up when its scrim is very dark,
        # when it is an ad (an ad label, a jump hint or a bounded call to action on the card
        # itself: CLOSE_MISSING judges it), or when the page is dimmed all round and a close
        # control sits elsewhere (a × in the screen's corner). An ordinary page's cards sit on a
        # live page.
        ad_card = any(win.box.contains_point(*e.box.center) and (
            e.kind in (ElementKind.AD_LABEL, ElementKind.JUMP_HINT)
            or (e.kind == ElementKind.CALL_TO_ACTION and e.button is not None)) for e in elements)
        overlay = win.dim_ratio <= strong_dim or ad_card or (bool(closes) and dark_surround)
        # a card shorter than window_min_height (found only in the screen's middle) is one only
        # with a close control of its own: its shape alone is as often a page's panel
        short = win.box.height < profile.setting("screen", "window_min_height") * h
        if not inside and (needs_close or short or not (floats and not live and overlay)):
            return None
        # Edges can stop short of a card whose picture fades into the page, or whose picture
        # header did not close with its body; the card its sure close button belongs to (beside
        # it, or inside its top-right corner), when it holds this one and is larger, is the whole
        # window.
        corner_cards = (card_named(e.button or e.box, inside_corner=True)
                        for e in sure_icons if not win.box.contains_point(*e.box.center))
        box = next((c for c in itertools.chain(close_cards, corner_cards)
                    if c is not None and c.contains_point(*win.box.center) and c.area > 1.1 * win.box.area), win.box)
        if _dialog_card(box, near, elements, text_closes) and not invites:
            return ScreenDecision(ScreenType.DIALOG, box, 0.7, "a card with dismiss text or dialog wording over a scrim")
        return ScreenDecision(ScreenType.POPUP, box, 0.7, "a card over a scrim")

    # Of the boxes over a scrim, one with a close control on it comes first, then one with a
    # close control beside it: a dimmed page's video panel or banner can be a larger floating box
    # than the dialog, and a dark card on the dark scrim shows fewer edges than the panel does.
    grey_windows = windows if windows is not None else find_windows(rgb, profile=profile)
    over_scrim = [d for d in (card_over_scrim(win) for win in grey_windows) if d is not None]
    if over_scrim:  # the first of the nearest (min keeps the preference order among equals)
        return min(over_scrim, key=lambda d: _closes_away(d, closes, w, h, profile))

    # A × the detector only finds likely (icon_min_score up to corner_icon_min_score) names its card
    # the same way when the page around that card is dimmed: the card's geometry (the × centred
    # under it or above its corner) and the scrim are two more pieces of evidence. An in-page ×
    # under a panel of the page has a live page around it.
    # A × inside a card's top-right corner names it too, when the page around is dimmed: there
    # the card's contour merged with the page's panels it overlaps, and an in-page card's × (a
    # dismissible banner) has a live page around it.
    likely_icons = [e for e in sorted(closes, key=lambda e: -e.score)
                    if e.kind == ElementKind.CLOSE_ICON and e.score < corner_score
                    and min(e.box.width, e.box.height) >= corner_px and not _top_right(e, w, h, top_band)]
    # (inside a card's corner over a dimmed page the card and the scrim are the evidence, so a ×
    # as small as an ant's, 小如蝼蚁, names it too: CLOSE_TOO_SMALL judges its size)
    in_corner_px = profile.setting("screen", "corner_card_icon_min_dp") * density
    corner_icons = [e for e in sorted(closes, key=lambda e: -e.score)
                    if e.kind == ElementKind.CLOSE_ICON
                    and min(e.box.width, e.box.height) >= in_corner_px and not _top_right(e, w, h, top_band)]

    def dimmed_cards() -> Iterator[Box]:
        found = (card_named(e.button or e.box) for e in likely_icons)
        in_corner = (card_named(e.button or e.box, inside_corner=True) for e in corner_icons)
        for c in itertools.chain(found, in_corner):
            if c is not None and surround_peak(rgb, c, profile) < scrim_peak:
                yield c

    # A sure × above a box's top-right corner names it only over a dimmed page: on a bright one
    # it is a search field's clear disc above the page's row of tiles.
    lit_page = {i for i, (e, c) in enumerate(zip(sure_closes, close_cards, strict=True)) if e.box.center[1] < c.y1
                and surround_peak(rgb, c, profile) >= scrim_peak}
    named = [c for i, c in enumerate(close_cards) if i not in lit_page]
    for card in itertools.chain(named, dimmed_cards()):
        near = near_window(card, w, h, profile)
        if _dialog_card(card, near, elements, text_closes) and not invites:
            return ScreenDecision(ScreenType.DIALOG, card, 0.6, "a card with dismiss text or dialog wording, its × beside it")
        return ScreenDecision(ScreenType.POPUP, card, 0.6, "a card with its close button centred below it or above its corner")
    # Last, boxes whose edges show in a colour channel more than in grey (a picture card whose
    # border differs from the dimmed page in hue), judged as the grey-edge boxes were, but only
    # with a close control of their own: the extra edges also close an ordinary page's tiles and
    # join a card with the page's panels, so the cards its close buttons name come first.
    for win in find_windows(rgb, profile=profile, colour=True) if closes else ():
        if (decided := card_over_scrim(win, needs_close=True)) is not None:
            return decided
    # A small floating ad picture at the screen's side with a × on its corner (悬浮广告) is an
    # overlay with no scrim and no card: the picture is its window. A card over a scrim or one a
    # sure close button names (above) comes first: there a thumbnail with a ×-like mark on its
    # corner is the page's.
    for e in closes:
        if e.kind == ElementKind.CLOSE_ICON and not _in_top_band(e, h, top_band):
            known = e.attr("floating_picture")  # found already when the × was taken for it
            pic = Box.from_xyxy(known) if known else floating_picture(rgb, e.box, density=density, profile=profile)
            if pic is not None:
                return ScreenDecision(ScreenType.POPUP, pic, 0.6, "a floating picture at the screen's side, a × on its corner")
    corner_icons = [e for e in closes if e.kind == ElementKind.CLOSE_ICON and _top_right(e, w, h, top_band)]
    # A page that a corner × closes and that asks for one action (a bounded call-to-action
    # button) is an upsell or ad overlay even when the × is only likely; an ordinary page's
    # buttons come with its navigation, not with a corner ×. A sure × there closes a screen that
    # asks or shows an ad cue however small it is: a close button 小如蝼蚁 is what CLOSE_TOO_SMALL
    # judges, so corner_icon_min_dp only keeps a small unsure one from counting.
    asks = any(e.kind == ElementKind.CALL_TO_ACTION and e.button is not None for e in elements)
    top_right_icon = any(
        (e.score >= corner_score or asks) if min(e.box.width, e.box.height) >= corner_px
        else (e.score >= corner_score and (asks or strong_ad))
        for e in corner_icons)
    # A sure × on a large button of its own (a 45-dp disc under a card), or a large one in a top
    # corner, is an overlay's close button: in-page ×s on buttons (a search box's clear disc, a
    # chip's ×) and a toolbar's close glyph at its left end are drawn at 12-20 dp. A large plain ×
    # elsewhere is not enough: a dating app's reject × beside its ✓ is an in-page action (realdev
    # nodp_1051).
    big_px = profile.setting("screen", "overlay_icon_min_dp") * density
    big_icon = any(e.kind == ElementKind.CLOSE_ICON and e.score >= corner_score
                   and min(e.box.width, e.box.height) >= big_px
                   and (e.button is not None or _top_corner(e, w, h, top_band)) for e in closes)
    # A × in the top-right corner is how a full-screen upsell or ad is closed, however much text it
    # carries; in-page ×s of ordinary screens sit in search boxes, chips and toolbars' left end.
    if closes and (text_closes or not dense or top_right_icon or big_icon):
        if text_closes and dialog_words and not strong_ad:
            return ScreenDecision(ScreenType.DIALOG, full, 0.6, "dismiss text with dialog wording")
        if strong_ad or text_closes or top_right_icon or big_icon:
            return ScreenDecision(ScreenType.INTERSTITIAL, full, 0.7, "a full-screen overlay with a close control")
        return ScreenDecision(ScreenType.NONE, None, 0.6, "only an in-page × and no ad cue")
    if strong_ad and not dense:
        return ScreenDecision(ScreenType.INTERSTITIAL, full, 0.6, "a full-screen ad with no close control")
    if closes or strong_ad:
        return ScreenDecision(ScreenType.NONE, None, 0.6, "an ordinary page: much text, only in-page controls or ads")
    return ScreenDecision(ScreenType.NONE, None, 0.8, "no close control and no ad cue")
