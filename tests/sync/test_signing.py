"""Signatures over canonical JSON: what verifies, and everything that must not."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kiosk.errors import ConfigError, SignatureError
from sync.protocol import signing


def test_canonical_encoding_is_stable_and_keeps_chinese() -> None:
    a = signing.canonical({"b": 1, "a": ["政务", {"y": None, "x": True}]})
    assert a == '{"a":["政务",{"x":true,"y":null}],"b":1}'.encode()
    with pytest.raises(ValueError, match="JSON compliant"):
        signing.canonical({"x": float("nan")})


def test_envelopes_verify_and_refuse(district_keys: Path, other_keys: Path) -> None:
    signer = signing.load_signer(district_keys)
    trusted = signing.load_verifier(district_keys / signing.PUBLIC_NAME)
    stranger = signing.load_verifier(other_keys / signing.PUBLIC_NAME)
    env = signer.sign({"kind": "manifest", "version": 3, "note": "低保"})
    assert trusted.verify(env, "manifest")["version"] == 3
    # key order and white space on the wire do not matter: the payload is re-encoded canonically
    reordered = {"sig": env["sig"], "payload": dict(reversed(list(env["payload"].items()))), "key_id": env["key_id"]}
    assert trusted.verify(reordered, "manifest")["note"] == "低保"
    altered = copy.deepcopy(env)
    altered["payload"]["version"] = 4
    with pytest.raises(SignatureError, match="does not verify"):
        trusted.verify(altered, "manifest")
    with pytest.raises(SignatureError, match="expected a signed document"):
        trusted.verify(env, "document")
    with pytest.raises(SignatureError, match="trusts"):
        stranger.verify(env, "manifest")
    forged_id = dict(env, key_id=stranger.key_id)
    with pytest.raises(SignatureError, match="does not verify"):
        stranger.verify(forged_id, "manifest")
    for bad in (None, [], {"payload": {}}, dict(env, extra=1), dict(env, sig="!!notbase64")):
        with pytest.raises(SignatureError):
            trusted.verify(bad, "manifest")


def test_key_files(tmp_path: Path, district_keys: Path) -> None:
    assert (district_keys / signing.PRIVATE_NAME).stat().st_mode & 0o077 == 0
    with pytest.raises(ConfigError, match="此处已有密钥对，拒绝覆盖"):
        signing.generate(district_keys)
    with pytest.raises(ConfigError):
        signing.load_verifier(district_keys / signing.PRIVATE_NAME)  # a private key is not a trust key
    with pytest.raises(ConfigError):
        signing.load_signer(tmp_path / "missing")
