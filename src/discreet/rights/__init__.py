"""Data-subject rights (GDPR arts. 12-21): requests with deadlines, access/export,
rectification, erasure (resumable, respecting legal holds), restriction and objection.

* `requests`  -- `RequestBook`: intake, states, deadlines, extensions, overdue, records.
* `export`    -- the access archive (JSON + HTML in a zip).
* `erasure`   -- `Eraser`: step-by-step erasure jobs that survive a crash.
* `holds`     -- legal holds (`set_hold`, `release_hold`, `active_holds`), shared with
  retention.
* `service`   -- `RightsService`: all of it by customer reference, for the API and CLI.
"""

from discreet.rights import holds
from discreet.rights.deadlines import add_months, initial_due, latest_due
from discreet.rights.erasure import Eraser, ErasureBlocked, ErasureMismatch, ErasureOutcome
from discreet.rights.export import SubjectExport
from discreet.rights.holds import HoldNotFound, LegalHold, active_holds, release_hold, set_hold
from discreet.rights.requests import (
    RequestBook,
    RequestError,
    RequestKind,
    RequestNotFound,
    RequestState,
    RightsRequest,
)
from discreet.rights.service import Execution, RightsService

__all__ = [
    "Eraser",
    "ErasureBlocked",
    "ErasureMismatch",
    "ErasureOutcome",
    "Execution",
    "HoldNotFound",
    "LegalHold",
    "RequestBook",
    "RequestError",
    "RequestKind",
    "RequestNotFound",
    "RequestState",
    "RightsRequest",
    "RightsService",
    "SubjectExport",
    "active_holds",
    "add_months",
    "holds",
    "initial_due",
    "latest_due",
    "release_hold",
    "set_hold",
]
