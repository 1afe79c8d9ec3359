"""Segno's choice of QR code mask, made about three times faster.

A QR code's modules are XORed with one of eight mask patterns; the encoder
must pick the one with the lowest penalty score (ISO/IEC 18004 7.8.3).
Segno 1.6.6 applies and scores the eight masks module by module in pure
Python: 10 of the 13 ms a comment-form link's code takes (version 13), and
a site of 10,000 people has about 1,700 open forms. Here the whole matrix
is one integer with a byte per module, a mask is one XOR, and each penalty
is a few shifts, XORs and byte counts over all rows and columns at once.

`make` gives exactly segno's code (tests/test_qrmask.py compares the two on
hundreds of inputs): the same scores in the same order, the same first
lowest mask, segno's own quirks included (its N3 rule, its sentinel modules
counted in N4). Only with the pinned segno version: any other falls back to
segno's own evaluation.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import segno
from segno import encoder

PINNED = "1.6.6"  # the segno whose evaluation this reproduces (requirements.txt)
_ORIGINAL = encoder.find_and_apply_best_mask
_N3 = bytes((1, 0, 1, 1, 1, 0, 1))  # N3: dark light dark dark dark light dark


def make(content: str, **options: Any) -> segno.QRCode:
    """segno.make(content, **options) with the faster mask choice."""
    if segno.__version__ != PINNED:
        return segno.make(content, **options)
    encoder.find_and_apply_best_mask = best_mask
    try:
        return segno.make(content, **options)
    finally:
        encoder.find_and_apply_best_mask = _ORIGINAL


def best_mask(matrix: tuple[bytearray, ...], width: int, height: int, proposed_mask: int | None = None
              ) -> tuple[int, tuple[bytearray, ...]]:
    """Drop-in for segno.encoder.find_and_apply_best_mask (QR codes; Micro
    QR codes and a given mask go to segno's own)."""
    if proposed_mask is not None or width != height or width < 21:
        return _ORIGINAL(matrix, width, height, proposed_mask)  # type: ignore[no-any-return]
    size = width
    grid = int.from_bytes(_SEP + _SEP.join(matrix), "big")
    best_score = encoder._MAX_PENALTY_SCORE
    best: tuple[int, bytes] | None = None
    for number, flips in enumerate(_flips(size)):
        masked = (grid ^ flips).to_bytes(size * (size + 1), "big")
        score = penalty(masked, size)
        if score < best_score:  # the first of equal scores, as segno
            best_score, best = score, (number, masked)
    assert best is not None
    stride = size + 1
    return best[0], tuple(bytearray(best[1][i * stride + 1:(i + 1) * stride]) for i in range(size))


_SEP = b"\xff"  # before each row or column of a grid: it equals no module, so no run or pattern crosses it


@lru_cache(maxsize=None)
def _flips(size: int) -> tuple[int, ...]:
    """For each mask, the modules it flips (as segno.apply_mask: the encoding
    region's modules where the mask's condition holds) as a grid: one byte
    per module, each row after a separator byte."""
    function = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(function, size, size)
    encoder.add_alignment_patterns(function, size, size)
    function[-8][8] = 0x1
    return tuple(int.from_bytes(b"".join(b"\0" + bytes(1 if function[i][j] > 0x1 and condition(i, j) else 0 for j in range(size))
                                         for i in range(size)), "big")
                 for condition in encoder.get_data_mask_functions(False))


_ZERO = bytes([1] + [0] * 255)  # bytes.translate table: 1 where a byte is zero


def penalty(grid: bytes, size: int) -> int:
    """segno.encoder.evaluate_mask of a square matrix given as a grid (each
    row after a separator byte; modules 0 light, 1 dark, 2 and 3 where
    segno left its placeholder). Counted on whole grids as integers of one
    byte per module: XOR gives a zero byte where two modules are equal."""
    stride = size + 1
    columns = _SEP + _SEP.join(grid[j::stride] for j in range(1, stride))
    every = grid + columns  # each row, then each column, after a separator
    both = int.from_bytes(every, "big")
    left = both ^ (both >> 8)  # zero where a module equals the one before it in its row or column
    five = (left | (left >> 8) | (left >> 16) | (left >> 24)).to_bytes(len(every), "big").translate(_ZERO)
    # a run of L >= 5 equal modules scores L - 2: its L - 4 windows of five, plus 2 for the run
    n1 = five.count(1) + 2 * five.count(b"\0\1")
    n3 = 0
    idx = every.find(_N3)
    while idx != -1:
        at = idx % stride - 1  # where the pattern starts in its row or column
        start = idx - at
        offset = idx + 7
        if at in (0, size - 7) or not any(every[start + max(at - 4, 0):idx]) \
                or not any(every[offset:start + min(at + 11, size)]):
            n3 += 40
        else:
            offset = idx + 4
        idx = every.find(_N3, offset)
    rows = int.from_bytes(grid, "big")
    up = 8 * stride
    sideways = rows ^ (rows >> 8)
    # zero where a module equals the one above, its left neighbour and that one's above (from the second row on)
    block = (rows ^ (rows >> up)) | sideways | (sideways >> up)
    n2 = block.to_bytes(len(grid), "big").count(0, stride)
    dark = grid.count(1) + 2 * grid.count(2) + 3 * grid.count(3)  # segno adds the module values: placeholders count too
    return n1 + 3 * n2 + n3 + 10 * int(abs(float(dark) / (size ** 2) * 100 - 50) / 5)
