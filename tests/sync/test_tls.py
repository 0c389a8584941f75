"""TLS with the CA bundle from the terminal's configuration: the real server behind a certificate from
a throwaway district CA; the terminal that trusts that CA syncs, one that does not is refused."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from synchelpers import doc, mirror_docs
from syncserver import RunningServer

from sync.client import sync_once
from sync.server.db import open_db


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certs(folder: Path) -> tuple[Path, Path, Path]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("区政务公开 test CA"))
        .issuer_name(_name("区政务公开 test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


def test_sync_over_tls_needs_the_configured_ca(tmp_path: Path, district_keys: Path) -> None:
    ca, cert, key = _certs(tmp_path)
    url = f"sqlite:///{tmp_path / 'district.db'}"
    srv = RunningServer(
        db_url=url,
        db_path=tmp_path / "district.db",
        key_dir=district_keys,
        engine=open_db(url),
        tmp=tmp_path,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    srv.start()
    try:
        assert srv.url.startswith("https://")
        srv.publish_lines([doc(1), doc(2)])
        trusting = srv.terminal(tmp_path / "trusting", ca_bundle=ca)
        assert trusting.server.ca_bundle == str(ca)
        report = sync_once(trusting)
        assert report.error is None and len(mirror_docs(trusting.db_path)) == 2
        stranger = srv.terminal(tmp_path / "stranger")  # the system's CAs do not know the district CA
        report = sync_once(stranger)
        assert report.error and "证书无法验证" in report.error
        assert mirror_docs(stranger.db_path) == {}
    finally:
        srv.stop()
        srv.engine.dispose()
