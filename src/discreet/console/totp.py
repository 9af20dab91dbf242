"""TOTP second factor (RFC 6238, `pyotp`) with a QR code rendered here (`segno`, SVG).

A code is accepted in its 30-second step or the one before or after (clock drift), and
only once: the step accepted last is stored, and a code of that step or an earlier one
is refused (a code seen over someone's shoulder cannot be replayed).
"""

from __future__ import annotations

import re
from datetime import datetime

import pyotp
import segno

ISSUER = "discreet console"
STEP_S = 30
_CODE = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline SVG element (no script, no external fetch)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, svgclass="qr"))


def code_at(secret: str, moment: datetime) -> str:
    """The code for `moment` (tests and the enrolment self-check)."""
    return pyotp.TOTP(secret).at(moment)


def matching_step(secret: str, code: str, moment: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to (this one, or one either side), if it is newer than
    `last_step`; None if the code is wrong, malformed or already used."""
    code = code.strip().replace(" ", "")
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(moment.timestamp()) // STEP_S
    for step in (now_step, now_step - 1, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_S), code):
            return step
    return None
