"""kg.extract.spans: the bucketed overlap index answers as a scan of every span."""

from hypothesis import given
from hypothesis import strategies as st

from kg.extract.spans import BUCKET, SpanIndex

spans = st.lists(st.tuples(st.integers(0, 4 * BUCKET), st.integers(1, 2 * BUCKET)),
                 max_size=40)


@given(spans, st.integers(0, 4 * BUCKET), st.integers(1, 2 * BUCKET))
def test_overlapping_is_a_scan_of_every_span(items, start, length):
    index: SpanIndex = SpanIndex()
    kept = []
    for s, n in items:
        item = object()
        index.add(s, s + n, item)
        kept.append((s, s + n, item))
    end = start + length
    expected = [item for s, e, item in kept if s < end and start < e]
    got = list(index.overlapping(start, end))
    assert sorted(map(id, got)) == sorted(map(id, expected))
    assert index.any(start, end) == bool(expected)
