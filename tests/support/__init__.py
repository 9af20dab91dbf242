"""Reusable test helpers (real servers and fixtures), importable as ``tests.support``."""
