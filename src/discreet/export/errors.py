"""Errors of exports and analytics (branches of :mod:`discreet.errors`; no values)."""

from __future__ import annotations

from discreet.errors import Conflict, InvalidInput


class ExportInputError(InvalidInput):
    """An export was asked for with bad options (period, directory, configuration)."""

    code = "export_invalid"


class ExportRejected(Conflict):
    """The anonymised output failed a check (residual findings above the allowed rate);
    nothing was kept."""

    code = "export_rejected"


class ExportStateError(Conflict):
    """The output directory belongs to another export, or that export failed."""

    code = "export_state"
