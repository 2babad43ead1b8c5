"""A loopback timestamp authority for the suite: the package's own :class:`LoopbackTsa`,
started once per session and stopped at the end (imported by the fixtures that need it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from signatures.tsa import LoopbackTsa


@pytest.fixture(scope="session")
def loopback_tsa() -> Iterator[LoopbackTsa]:
    tsa = LoopbackTsa(label="test")
    try:
        yield tsa
    finally:
        tsa.stop()
