"""The locator index's bitmaps (D7): listing set bits, lowest first."""

import random

from plugins.builtin.locator_index import bitmap_of, positions


def test_positions_lists_set_bits_lowest_first():
    assert positions(0) == []
    assert positions(1) == [0]
    assert positions(0b101100) == [2, 3, 5]
    assert positions(0b101100, limit=2) == [2, 3]
    assert positions(0b101100, limit=10) == [2, 3, 5]
    assert positions(0b101100, limit=0) == []


def test_bitmap_of_and_positions_round_trip():
    rng = random.Random(8)
    bits = sorted(rng.sample(range(100_000), 5_000))
    bitmap = bitmap_of(bits)
    assert bitmap.bit_count() == 5_000
    assert positions(bitmap) == bits
    assert positions(bitmap, limit=20) == bits[:20]
    assert bitmap_of([]) == 0
