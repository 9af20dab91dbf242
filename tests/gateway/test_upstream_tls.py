"""The upstream client over TLS with a private CA and a client certificate (mutual TLS),
against a real loopback HTTPS server that demands the certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.support.upstream import RecordingUpstream

from discreet.gateway.errors import UpstreamUnavailable
from discreet.gateway.settings import UpstreamConfigError, UpstreamSettings
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.settings import Settings

MESSAGES = [{"role": "user", "content": "hi"}]


def _issue(
    directory: Path, name: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if name == "127.0.0.1":
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(name))]),
            critical=False,
        )
    cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key, cert_path, key_path


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    ca_cert, ca_key, ca_path, _ = _issue(tmp_path, "private-ca", None)
    _, _, server_cert, server_key = _issue(tmp_path, "127.0.0.1", (ca_cert, ca_key))
    _, _, client_cert, client_key = _issue(tmp_path, "gateway", (ca_cert, ca_key))
    return {
        "ca": ca_path,
        "server_cert": server_cert,
        "server_key": server_key,
        "client_cert": client_cert,
        "client_key": client_key,
    }


@pytest.fixture
def mtls_upstream(pki: dict[str, Path]) -> RecordingUpstream:
    upstream = RecordingUpstream()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server_cert"], pki["server_key"])
    context.load_verify_locations(pki["ca"])
    context.verify_mode = ssl.CERT_REQUIRED  # the gateway must present its certificate
    server = upstream._server
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with upstream:
        yield upstream


def _settings(upstream: RecordingUpstream, **tls: Path) -> UpstreamSettings:
    return UpstreamSettings(
        base_url=f"https://127.0.0.1:{upstream.port}/v1", model="m", max_attempts=1, **tls
    )


@pytest.mark.anyio
async def test_private_ca_and_client_certificate_reach_a_mutual_tls_upstream(
    mtls_upstream: RecordingUpstream, pki: dict[str, Path]
) -> None:
    settings = _settings(
        mtls_upstream,
        ca_bundle=pki["ca"],
        client_cert=pki["client_cert"],
        client_key=pki["client_key"],
    )
    async with AsyncUpstreamClient(settings) as client:
        assert await client.complete(MESSAGES) == "OK"
    assert len(mtls_upstream.bodies()) == 1


@pytest.mark.anyio
async def test_without_the_client_certificate_the_upstream_is_unavailable(
    mtls_upstream: RecordingUpstream, pki: dict[str, Path]
) -> None:
    client = AsyncUpstreamClient(_settings(mtls_upstream, ca_bundle=pki["ca"]))
    async with client:
        with pytest.raises(UpstreamUnavailable):
            await client.complete(MESSAGES)
    assert mtls_upstream.bodies() == []


@pytest.mark.anyio
async def test_without_the_private_ca_the_upstream_is_not_trusted(
    mtls_upstream: RecordingUpstream,
) -> None:
    async with AsyncUpstreamClient(_settings(mtls_upstream)) as client:
        with pytest.raises(UpstreamUnavailable):
            await client.complete(MESSAGES)
    assert mtls_upstream.bodies() == []


def test_settings_from_the_environment_and_a_missing_file_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCREET_UPSTREAM_BASE_URL", "https://127.0.0.1:9/v1")
    monkeypatch.setenv("DISCREET_UPSTREAM_MODEL", "m")
    monkeypatch.setenv("DISCREET_UPSTREAM_CA_BUNDLE", str(tmp_path / "missing-ca.pem"))
    settings = UpstreamSettings.from_settings(Settings())
    assert settings is not None and settings.ca_bundle == tmp_path / "missing-ca.pem"
    with pytest.raises(UpstreamConfigError, match=r"missing-ca\.pem"):
        AsyncUpstreamClient(settings)
