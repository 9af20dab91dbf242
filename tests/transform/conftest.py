"""Shared fixtures for the pseudonymisation tests."""

from __future__ import annotations

import pytest

from discreet.detect import Detector
from discreet.transform import MemoryTokenStore

from .helpers import fixed_detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    return fixed_detector()


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()
