"""Errors of exports and analytics (branches of :mod:`discreet.errors`; no values)."""

from __future__ import annotations

from discreet.errors import Conflict, InvalidInput


class ExportInputError(InvalidInput, code="export_invalid"):
    """An export was asked for with bad options (period, directory, configuration)."""


class ExportRejected(Conflict, code="export_rejected"):
    """The anonymised output failed a check (residual findings above the allowed rate);
    nothing was kept."""


class ExportStateError(Conflict, code="export_state"):
    """The output directory belongs to another export, or that export failed."""
