"""discreet's one exception tree, drawn here so every edge maps it the same way.

::

    DiscreetError                      code            HTTP  exit
    ├── InvalidInput                   invalid_input    400     2
    │   └── InvalidValue (a ValueError too)
    ├── Unauthenticated                unauthenticated  401     2
    ├── Forbidden                      forbidden        403     2
    ├── NotFound                       not_found        404     3
    ├── Conflict                       conflict         409     4
    ├── TooLarge                       too_large        413     2
    ├── Unavailable                    unavailable      503     5
    └── UpstreamFailure                upstream_error   502     5

Invalid input is 400 on every route, as OpenAI answers it (never FastAPI's 422): a client
handles one status for "fix your request", whether the request's shape or its content was
wrong.

`InvalidValue` is an `InvalidInput` that is also a `ValueError`, for checks whose callers
were written against the standard library's error (``except ValueError``).

Domain packages subclass the branch that says what a caller can do about the failure
(a vault's missing subject is a ``NotFound``; a database that went away is
``Unavailable``), so the API and the CLI each map errors in one place: by the class's
``http_status`` and ``exit_code``. A class states what it changes in its class line
(``class PortInUse(Conflict, code="port_in_use")``); what it does not name it inherits.
Messages name what and where (a field, a line, an id), never a value: errors end up in
logs and tracebacks (ARCHITECTURE principle 3).

A leaf module: it imports nothing of discreet's.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from pydantic import ValidationError


class DiscreetError(Exception):
    """Root of every error discreet raises on purpose.

    `param` names the input at fault (a field, a header, a path parameter: the OpenAI error
    object's ``param``); `details` are extra facts for the error object (ids, counts,
    states), never values of the data the request was about.
    """

    code: ClassVar[str] = "internal_error"
    """A stable, machine-readable name (the OpenAI error object's ``code``)."""
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init_subclass__(
        cls,
        *,
        code: str | None = None,
        http_status: int | None = None,
        exit_code: int | None = None,
        **kwargs: object,
    ) -> None:
        # A branch states its code, status and exit code in its class line; a subclass
        # that names none keeps its parent's (a domain error subclassing ``NotFound``).
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if http_status is not None:
            cls.http_status = http_status
        if exit_code is not None:
            cls.exit_code = exit_code

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        param: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        if code is not None:
            # A narrower code than the class's, for clients that branch on it.
            self.code = code  # type: ignore[misc]
        self.param = param
        self.details: Mapping[str, Any] = details or {}

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


class InvalidInput(DiscreetError, code="invalid_input", http_status=400, exit_code=2):
    """The request or file is malformed or out of range."""


class InvalidValue(InvalidInput, ValueError):
    """A value is malformed or out of range (also a `ValueError`)."""


_Choice = TypeVar("_Choice", bound=StrEnum)


def parse_choice(value: str, enum: type[_Choice], what: str) -> _Choice:
    """``value`` (any case, spaces around) as a member of ``enum``; otherwise
    `InvalidInput` naming ``what`` and the choices (the choices, not the value: it is
    what a user typed)."""
    try:
        return enum(value.strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InvalidInput(f"{what} must be one of: {choices}") from None


def validation_problems(
    exc: ValidationError, *, root: str = "(top level)", most: int | None = None
) -> str:
    """Pydantic's complaints as ``field.path: what``, joined by "; " (the first ``most``).

    Pydantic's own message repeats the input, and a body, a config or the environment may
    hold personal data or secrets: this names only where and why (``root`` where the
    whole input is wrong)."""
    errors = exc.errors(include_input=False, include_url=False)[:most]
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or root}: {e['msg']}" for e in errors)


class Unauthenticated(DiscreetError, code="unauthenticated", http_status=401, exit_code=2):
    """No or unknown credentials."""


class Forbidden(DiscreetError, code="forbidden", http_status=403, exit_code=2):
    """Known caller, but not allowed to do this (role, purpose, restriction)."""


class NotFound(DiscreetError, code="not_found", http_status=404, exit_code=3):
    """The named thing does not exist (or is not visible to this caller)."""


class Conflict(DiscreetError, code="conflict", http_status=409, exit_code=4):
    """The request contradicts the current state (already exists, closed, bound)."""


class TooLarge(DiscreetError, code="too_large", http_status=413, exit_code=2):
    """The input is over a configured size limit."""


class Unavailable(DiscreetError, code="unavailable", http_status=503, exit_code=5):
    """A store, key or model needed for this is not available: nothing was done."""


class UpstreamFailure(DiscreetError, code="upstream_error", http_status=502, exit_code=5):
    """The upstream model failed or answered something unusable."""
