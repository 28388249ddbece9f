"""Which character spans are taken: overlap checks in time linear in the text.

The finders and the proposals keep the spans they have taken and ask, for each
new one, whether it overlaps any of them. A plain list made that quadratic in the
number of mentions (a long report naming its project thousands of times took
minutes); spans are filed in buckets of the text they cover, so a question only
looks at its neighbours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

BUCKET = 512  # characters


class SpanIndex(Generic[T]):
    """Items with a (start, end) span; which ones a span overlaps."""

    def __init__(self) -> None:
        self._buckets: dict[int, list[tuple[int, int, T]]] = defaultdict(list)

    def add(self, start: int, end: int, item: T) -> None:
        for b in range(start // BUCKET, max(start, end - 1) // BUCKET + 1):
            self._buckets[b].append((start, end, item))

    def overlapping(self, start: int, end: int) -> Iterator[T]:
        """The items whose span overlaps [start, end) (each once)."""
        seen: set[int] = set()
        for b in range(start // BUCKET, max(start, end - 1) // BUCKET + 1):
            for s, e, item in self._buckets.get(b, ()):
                if s < end and start < e and id(item) not in seen:
                    seen.add(id(item))
                    yield item

    def any(self, start: int, end: int, keep: Callable[[T], bool] = lambda _item: True) -> bool:
        return any(keep(item) for item in self.overlapping(start, end))
