"""The privacy office console: a server-rendered web application for privacy officers,
auditors, support leads and administrators, with its own accounts, roles, TOTP sign-in and
server-side sessions. It calls the domain services and holds no business rules.

* :func:`create_console_app` -- the FastAPI application over :class:`ConsoleServices`.
* :func:`discreet.wiring.open_console_services` -- those services over the configured stores.
* :mod:`.roles` -- the one permission table; :mod:`.accounts`, :mod:`.sessions`,
  :mod:`.reveals` -- its stores.
"""

from discreet.console.app import create_console_app
from discreet.console.services import ConsoleServices

__all__ = ["ConsoleServices", "create_console_app"]
