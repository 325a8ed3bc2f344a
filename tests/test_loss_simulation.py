"""The loss simulation's integer draws: lendrisk.risk.uniform_words, default_cuts, vasicek_losses.

vasicek_losses compares PCG64's 32-bit words with ceil(p x 2**24) instead of making float32 uniforms;
these tests pin the rule on paper and check the losses equal the float32 draws' bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import norm

from lendrisk import risk

TWO_24 = 2**24


def float_losses(
    pd_12m: np.ndarray, severity: np.ndarray, rho: float, n_sims: int, seed: int, chunk: int
) -> np.ndarray:
    """vasicek_losses as it was before the integer draws: float32 uniforms U < p, bool @ severity."""
    rng = np.random.default_rng(seed)
    threshold = norm.ppf(np.clip(pd_12m, 0.0, 1.0)) / np.sqrt(1.0 - rho)
    levels, codes = np.unique(threshold, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    per_level = np.bincount(codes, minlength=len(levels))
    levels = levels.astype(np.float32)
    shift = np.float32(np.sqrt(rho / (1.0 - rho)))
    ordered = np.asarray(severity, dtype=np.float64)[order]
    losses = np.empty(n_sims)
    for start in range(0, n_sims, chunk):
        size = min(chunk, n_sims - start)
        factor = rng.standard_normal((size, 1), dtype=np.float32)
        probability = np.repeat(ndtr(levels - shift * factor), per_level, axis=1)
        defaulted = rng.random((size, len(order)), dtype=np.float32) < probability
        losses[start : start + size] = defaulted @ ordered
    return losses


def test_default_cuts_on_paper():
    p = np.array([0.0, 1.0, 0.5, 2.0**-24, 1.5 * 2.0**-24, 0.25 + 2.0**-24, np.nan], dtype=np.float32)
    # 0 -> no word is below; 1 -> every k = word >> 8 (0 .. 2**24 - 1) is; 0.5 -> k < 2**23;
    # p = 2**-24: only k = 0 (U = 0 < p; k = 1 gives U = p, not below); 1.5 x 2**-24: k = 0 and 1;
    # 0.25 + 2**-24 = (2**22 + 1) / 2**24: k <= 2**22; NaN: never (U < NaN is false)
    cuts = risk.default_cuts(p)
    assert cuts.dtype == np.uint32
    assert cuts.tolist() == [0, TWO_24, 2**23, 1, 2, 2**22 + 1, 0]
    k = np.array([0, 1, 2, 2**22, 2**22 + 1, TWO_24 - 1], dtype=np.uint32)
    for prob, cut in zip(p, cuts, strict=True):
        as_floats = (k.astype(np.float32) * np.float32(1 / TWO_24)) < prob
        assert ((k < cut) == as_floats).all(), prob


@pytest.mark.parametrize("before", [0, 1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 5, 6, 1001])
def test_uniform_words_are_the_float32_uniforms_words(before, count):
    # before float32 normals leave PCG64 with or without a buffered half word
    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    assert (
        ours.standard_normal(before, dtype=np.float32) == numpys.standard_normal(before, dtype=np.float32)
    ).all()
    words = risk.uniform_words(ours, count)
    uniforms = numpys.random(count, dtype=np.float32)
    assert words.dtype == np.uint32 and len(words) == count
    assert ((words >> 8).astype(np.float32) * np.float32(1 / TWO_24) == uniforms).all()
    # both generators are left in the same place: the next draws agree, 32- and 64-bit alike
    assert ours.bit_generator.state == numpys.bit_generator.state
    assert (ours.random(3, dtype=np.float32) == numpys.random(3, dtype=np.float32)).all()
    assert (ours.random(3) == numpys.random(3)).all()


def test_uniform_words_refuses_other_bit_generators():
    with pytest.raises(TypeError, match="PCG64"):
        risk.uniform_words(np.random.Generator(np.random.MT19937(1)), 3)
    with pytest.raises(TypeError, match="PCG64"):
        risk.skip_words(np.random.Generator(np.random.MT19937(1)), 3)


@pytest.mark.parametrize("before", [0, 1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 6, 1001])
def test_skip_words_leaves_the_generator_where_uniform_words_does(before, count):
    # the state itself (buffered half word included) and the next 32- and 64-bit draws agree
    skipped, drawn = np.random.default_rng(5), np.random.default_rng(5)
    skipped.standard_normal(before, dtype=np.float32)
    drawn.standard_normal(before, dtype=np.float32)
    risk.skip_words(skipped, count)
    risk.uniform_words(drawn, count)
    assert skipped.bit_generator.state == drawn.bit_generator.state
    assert (skipped.standard_normal(3, dtype=np.float32) == drawn.standard_normal(3, dtype=np.float32)).all()
    assert (skipped.random(3) == drawn.random(3)).all()


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize(
    ("loans", "n_sims", "chunk", "rho", "seed"),
    [
        (0, 10, 3, 0.15, 2),
        (1, 9, 2, 0.15, 4),
        (7, 31, 3, 0.15, 5),
        (300, 777, 256, 0.3, 3),
        (1001, 1000, 100, 0.5, 9),
    ],
)
def test_vasicek_losses_equal_the_float32_draws(loans, n_sims, chunk, rho, seed, threads):
    # one pass drawing chunk after chunk, bit for bit, however many threads draw the chunks
    rng = np.random.default_rng(loans)
    pd_12m = rng.choice(np.r_[rng.uniform(0.001, 0.4, 25), [0.0, 1.0, np.nan]], loans)
    severity = rng.uniform(10, 500, loans) * (rng.random(loans) > 0.1)
    expected = float_losses(pd_12m, severity, rho, n_sims, seed, chunk)
    assert np.array_equal(risk.vasicek_losses(pd_12m, severity, rho, n_sims, seed, chunk, threads), expected)


@pytest.mark.parametrize("before", [0, 1, 2, 3])
@pytest.mark.parametrize("counts", [[0], [1], [2, 2], [5, 6, 1], [1, 1, 1], [1001, 0, 4, 7]])
def test_next_words_continue_the_stream_as_uniform_words(before, counts):
    # the blocks' words, carried half word included, are the words uniform_words draws at once
    ours, reference = np.random.default_rng(8), np.random.default_rng(8)
    ours.standard_normal(before, dtype=np.float32)
    reference.standard_normal(before, dtype=np.float32)
    state = ours.bit_generator.state
    carry = state["uinteger"] if state["has_uint32"] else None
    drawn = []
    for count in counts:
        words, carry = risk.next_words(ours.bit_generator, carry, count, np.empty(count, dtype=np.uint32))
        assert words.dtype == np.uint32 and len(words) == count
        drawn.append(words.copy())
    expected = risk.uniform_words(reference, sum(counts))
    assert np.array_equal(np.concatenate([np.empty(0, dtype=np.uint32), *drawn]), expected)
    # what is left over is the next 32-bit draw
    after = reference.bit_generator.state
    assert carry == (after["uinteger"] if after["has_uint32"] else None)


def test_blocks_on_paper():
    assert risk.blocks(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert risk.blocks(9, 4) == [(0, 4), (4, 9)]  # a single leftover row goes with the last block
    assert risk.blocks(8, 4) == [(0, 4), (4, 8)]
    assert risk.blocks(3, 4) == [(0, 3)]
    assert risk.blocks(1, 4) == [(0, 1)]
    assert risk.blocks(0, 4) == []
    assert [risk.block_rows(n) for n in (0, 1, 2051, 9631, 10**6)] == [65536, 65536, 28, 4, 4]


@pytest.mark.parametrize("loans", [1, 3, 100, 2051])
def test_block_products_sum_as_the_chunk_product(loans):
    # the assumption the blocks rest on, on this machine's BLAS: each block's matrix-vector product
    # gives its rows' losses bit for bit as one product over the chunk (with one BLAS thread)
    rng = np.random.default_rng(loans)
    severity = rng.uniform(10, 500, loans)
    with risk._blas_threads().limit(limits=1, user_api="blas"):
        for scenarios in [*range(1, 70), 255, 256, 257]:
            defaulted = (rng.random((scenarios, loans)) < 0.3).astype(float)
            whole = defaulted @ severity
            for rows in (4, 8, 12):
                parts = [defaulted[first:stop] @ severity for first, stop in risk.blocks(scenarios, rows)]
                assert np.array_equal(np.concatenate(parts), whole), (scenarios, rows)


@pytest.mark.parametrize(
    ("loans", "n_sims", "chunk"), [(2051, 300, 256), (5000, 2 * 256 + 9, 256), (9631, 7, 5)]
)
def test_vasicek_losses_in_blocks_equal_the_float32_draws(loans, n_sims, chunk):
    # books big enough for blocks of 28, 12 and 4 scenarios, chunks ending in a single leftover row
    rng = np.random.default_rng(loans)
    pd_12m = rng.choice(rng.uniform(0.001, 0.4, 40), loans)
    severity = rng.uniform(10, 500, loans)
    expected = float_losses(pd_12m, severity, 0.15, n_sims, 1, chunk)
    assert np.array_equal(risk.vasicek_losses(pd_12m, severity, 0.15, n_sims, 1, chunk), expected)


def test_vasicek_losses_of_sure_and_impossible_defaults():
    # PD 1 always defaults and PD 0 never: each scenario loses exactly 1 + 4 + 16 = 21, whatever the
    # draws, with 9 scenarios in chunks of 4 and 5 (blocks of 4 rows, a last block of 5)
    pd_12m = np.array([1.0, 0.0, 1.0, 0.0, 1.0] * 7000)[:35_000]
    severity = np.zeros(35_000)
    severity[[0, 2, 4]] = [1.0, 4.0, 16.0]
    severity[1] = 1000.0  # PD 0: never lost
    assert risk.block_rows(len(pd_12m)) == 4
    losses = risk.vasicek_losses(pd_12m, severity, 0.15, 9, 3, chunk=5)
    assert losses.tolist() == [21.0] * 9


def test_shifted_cuts_compare_whole_words_alike():
    # vasicek_losses compares whole words with cut << 8 when every cut is below 2**24: the same test
    words = np.array([0, 1, 255, 256, 257, 2**31, 2**32 - 257, 2**32 - 256, 2**32 - 1], dtype=np.uint32)
    for cut in (0, 1, 2, 2**23, 2**24 - 1):
        assert ((words >> 8) < cut).tolist() == (words < (np.uint32(cut) << np.uint32(8))).tolist(), cut
