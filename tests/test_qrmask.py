"""qrmask.make must give exactly segno's QR code: the same mask, the same modules."""
from __future__ import annotations

import random
from urllib.parse import quote

import pytest
import segno
from segno import encoder

from generator import qrmask


def _links(n: int) -> list[str]:
    """Comment-form links like the site's, of many lengths (QR versions 2 to about 20)."""
    rng = random.Random(7)
    out = []
    for _ in range(n):
        title = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(0, 45)))
        base = "https://yijian.example.gov.cn/form?record=r-" + "".join(rng.choice("abcdefghij0123456789-") for _ in range(rng.randint(1, 40)))
        out.append(base[: rng.randint(8, len(base))] + "&title=" + quote(title, safe=""))
    return out


@pytest.mark.parametrize("error", ["l", "m", "h"])
def test_the_fast_mask_choice_is_segnos(error: str) -> None:
    versions = set()
    for url in _links(60):
        theirs = segno.make(url, error=error, micro=False, boost_error=False)
        ours = qrmask.make(url, error=error, micro=False, boost_error=False)
        assert (ours.version, ours.mask, ours.matrix) == (theirs.version, theirs.mask, theirs.matrix), url
        versions.add(theirs.version)
    assert len(versions) >= 8  # small and large codes, with and without version information


def test_make_uses_the_fast_choice_and_puts_segnos_back(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = qrmask.penalty
    monkeypatch.setattr(qrmask, "penalty", lambda grid, size: calls.append(size) or real(grid, size))
    qrmask.make("https://yijian.example.gov.cn/form?record=zhang-san-2009", error="m", micro=False)
    assert len(calls) == 8  # every mask scored here, not by segno
    assert encoder.find_and_apply_best_mask is qrmask._ORIGINAL


def test_penalty_is_segnos_score_of_each_mask() -> None:
    """Each of the eight scores, not only the winner, on a code with version information."""
    url = _links(200)[-1] + "x" * 300
    code = segno.make(url, error="m", micro=False)
    assert code.version >= 7
    captured = {}

    def keep(matrix, width, height, proposed_mask=None):  # type: ignore[no-untyped-def]
        captured["m"] = tuple(bytearray(r) for r in matrix)
        return qrmask._ORIGINAL(matrix, width, height, proposed_mask)

    encoder.find_and_apply_best_mask = keep
    try:
        segno.make(url, error="m", micro=False)
    finally:
        encoder.find_and_apply_best_mask = qrmask._ORIGINAL
    matrix, size = captured["m"], len(captured["m"])
    function = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(function, size, size)
    encoder.add_alignment_patterns(function, size, size)
    function[-8][8] = 0x1
    grid = int.from_bytes(qrmask._SEP + qrmask._SEP.join(matrix), "big")
    for number, condition in enumerate(encoder.get_data_mask_functions(False)):
        m = [bytearray(r) for r in matrix]
        encoder.apply_mask(m, condition, size, size, lambda i, j: function[i][j] > 0x1)
        ours = qrmask.penalty((grid ^ qrmask._flips(size)[number]).to_bytes(size * (size + 1), "big"), size)
        assert ours == encoder.evaluate_mask(m, size, size), number
