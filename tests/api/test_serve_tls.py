"""`discreet serve` in transit: HTTPS with a given certificate, and no plain HTTP beyond
loopback unless asked for explicitly (a real process on a real port)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.api.conftest import POLICY
from tests.support.upstream import unused_port

from discreet.vault import MasterKey

DISCREET = str(Path(sys.executable).parent / "discreet")


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _env(tmp_path: Path) -> dict[str, str]:
    policy = tmp_path / "discreet.yaml"
    policy.write_text(POLICY)
    return {
        **os.environ,
        "DISCREET_HOME": str(tmp_path / "home"),
        "DISCREET_MASTER_KEY": MasterKey.generate().to_base64(),
        "DISCREET_CONFIG": str(policy),
        "DISCREET_UPSTREAM_URL": "",
        "DISCREET_UPSTREAM_BASE_URL": "",
    }


def test_serve_speaks_https_with_the_given_certificate(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    port = unused_port()
    proc = subprocess.Popen(
        [DISCREET, "serve", "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                health = httpx.get(f"https://127.0.0.1:{port}/healthz", verify=str(cert), timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        assert health.url.scheme == "https"
        try:
            plain = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        except httpx.TransportError:
            plain = None  # the TLS listener drops a plain-HTTP request
        assert plain is None or plain.status_code >= 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_plain_http_beyond_loopback_is_refused_before_anything_starts(tmp_path: Path) -> None:
    refused = subprocess.run(
        [DISCREET, "serve", "--host", "0.0.0.0", "--port", str(unused_port())],
        env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "refusing to serve plain HTTP on 0.0.0.0" in refused.stderr
    assert "--allow-plain-http" in refused.stderr
    assert not (tmp_path / "home").exists()  # nothing migrated or created


def test_a_half_given_or_broken_tls_pair_is_a_clear_usage_error(tmp_path: Path) -> None:
    cert, _key = _self_signed(tmp_path)
    half = subprocess.run(
        [DISCREET, "serve", "--tls-cert", str(cert)],
        env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    broken = subprocess.run(
        [DISCREET, "serve", "--tls-cert", str(cert), "--tls-key", str(cert)],
        env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert half.returncode == 2 and "give both --tls-cert and --tls-key" in half.stderr
    assert broken.returncode == 2 and "do not load as a certificate" in broken.stderr
