"""Where a server may listen, checked before anything is set up: the port is free, and a
non-loopback address is served over TLS unless plain HTTP is asked for explicitly.

Checked first so that a busy port fails in a second, not after `discreet demo` has seeded
its data and printed keys that no server will ever accept.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from discreet.errors import Conflict, InvalidInput


class PortInUse(Conflict, code="port_in_use"):
    """Another process listens on the address already."""


class PlainHttpRefused(InvalidInput, code="plain_http_refused"):
    """A non-loopback bind without TLS and without --allow-plain-http."""


class BadTlsFiles(InvalidInput, code="bad_tls_files"):
    """The certificate or key cannot be used (missing, unreadable, not a pair)."""


@dataclass(frozen=True, slots=True)
class Tls:
    """A listener's certificate chain and private key (PEM files)."""

    cert: Path
    key: Path


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything, so it counts as exposed


def tls_from_options(cert: Path | None, key: Path | None) -> Tls | None:
    """The TLS pair from `--tls-cert`/`--tls-key`: both or neither, and they must load."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise BadTlsFiles("give both --tls-cert and --tls-key (PEM files), or neither")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        raise BadTlsFiles(f"TLS file not found: {exc.filename}") from None
    except (ssl.SSLError, OSError) as exc:
        raise BadTlsFiles(
            f"--tls-cert {cert} and --tls-key {key} do not load as a certificate and its "
            f"private key ({type(exc).__name__})"
        ) from None
    return Tls(cert, key)


def check_listen(host: str, port: int, *, tls: Tls | None, allow_plain_http: bool) -> None:
    """Refuse a plain-HTTP bind beyond loopback (unless allowed) and a port in use."""
    if tls is None and not allow_plain_http and not is_loopback(host):
        raise PlainHttpRefused(
            f"refusing to serve plain HTTP on {host}: API keys and customer messages would "
            "cross the network unencrypted. Give --tls-cert and --tls-key, or "
            "--allow-plain-http behind a TLS-terminating proxy"
        )
    check_port_free(host, port)


def check_port_free(host: str, port: int) -> None:
    """Fail with `PortInUse` if something already listens on host:port (0: any port)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: SO_REUSEADDR lets a port in TIME_WAIT count as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise PortInUse(
                f"cannot listen on {host}:{port}: {exc.strerror or 'address in use'}; "
                "stop the other server or choose another --port"
            ) from None
