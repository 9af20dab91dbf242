"""Fixtures for the gateway tests: the loopback upstream model server."""

from tests.support.upstream import recording_upstream

__all__ = ["recording_upstream"]
