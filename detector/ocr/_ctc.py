"""Keyword spotting on a CTC recogniser's output: how likely is *this* phrase in the line?

Greedy decoding takes the single likeliest character at every frame. On a blurred 8-px "跳过"
that path spells noise ("牌过2", "注2", "精试"), yet the frames still give the true characters a
fair share of the probability. The CTC forward algorithm sums the probability of every frame
alignment of a given phrase, so comparing ``log P(phrase)`` with ``log P(greedy reading)`` asks
the model the closed question we care about ("is this 跳过?") instead of the open one.
(Graves et al., "Connectionist Temporal Classification", ICML 2006, section 4.1.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

_TINY = 1e-12  # log(0) guard


def ctc_log_likelihood(log_probs: npt.NDArray[np.floating], labels: Sequence[int], *, blank: int = 0) -> float:
    """``log P(labels | frames)`` under CTC: ``log_probs`` is T x C (natural log, per frame).

    Sums over all alignments with the standard forward recursion over the blank-extended label
    sequence (blank, l1, blank, l2, ..., blank). An empty ``labels`` is the all-blank path.
    Returns ``-inf`` when the phrase cannot fit in the frames.
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    t_frames = lp.shape[0]
    if t_frames == 0:
        return float("-inf")
    if not labels:
        return float(lp[:, blank].sum())
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    ext[1::2] = labels
    # A label may follow the one two places back (skipping a blank) unless it repeats it.
    can_skip = np.zeros(ext.size, dtype=bool)
    can_skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha = np.full(ext.size, -np.inf)
    alpha[0] = lp[0, ext[0]]
    alpha[1] = lp[0, ext[1]]
    for t in range(1, t_frames):
        prev = alpha
        alpha = prev.copy()
        alpha[1:] = np.logaddexp(alpha[1:], prev[:-1])
        alpha[2:] = np.where(can_skip[2:], np.logaddexp(alpha[2:], prev[:-2]), alpha[2:])
        alpha = alpha + lp[t, ext]
    return float(np.logaddexp(alpha[-1], alpha[-2]))


def greedy_decode(probs: npt.NDArray[np.floating], *, blank: int = 0) -> tuple[list[int], float]:
    """Best-path decoding (collapse repeats, drop blanks): label ids and the mean probability of
    the kept frames (PaddleOCR's line score)."""
    best = probs.argmax(axis=1)
    keep = np.ones(best.size, dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != blank
    ids = [int(i) for i in best[keep]]
    score = float(probs.max(axis=1)[keep].mean()) if ids else 0.0
    return ids, score


def log_probs(probs: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Natural log of per-frame probabilities, guarded against zeros."""
    return np.log(np.maximum(np.asarray(probs, dtype=np.float64), _TINY))
