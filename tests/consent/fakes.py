"""A clock tests move by hand, shared by the consent and rights tests."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Returns `now` (aware UTC) until a test moves it; deadline tests never sleep."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
