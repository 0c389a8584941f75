"""The one password hasher (kiosk/passwords.py): hashes stored by either side before it existed still
verify, both sides now write the one format through it, and a malformed or outsized hash never matches."""

from __future__ import annotations

import time

import pytest

from kiosk import passwords
from kiosk.staff import hash_pin, verify_pin
from sync.server.admin import auth

# Made by the code this module replaced (kiosk/staff.py's hash_pin with salt b"0123456789abcdef", and
# sync/server/admin/auth.py's hash_password with its salt fixed to b"fedcba9876543210"): a terminal's
# config file and the server's accounts table hold hashes exactly like these.
OLD_PIN_HASH = "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$VNGS1BW6RTVlqYHVNZWZLy1uluVTXvizqmgrNsKPYWU="
OLD_PASSWORD_HASH = "scrypt$32768$8$1$ZmVkY2JhOTg3NjU0MzIxMA==$VN8vWruAAXRD7154BhhNoBtEeL6amfbDbTHa8q8hYt4="
PASSWORD = "correct horse 电池"


def test_a_staff_pin_hash_stored_before_still_verifies_on_both_sides() -> None:
    assert verify_pin("246810", OLD_PIN_HASH) and passwords.verify("246810", OLD_PIN_HASH)
    assert not verify_pin("246811", OLD_PIN_HASH)
    assert hash_pin("246810", salt=b"0123456789abcdef") == OLD_PIN_HASH  # the same format, byte for byte


def test_an_account_password_hash_stored_before_still_verifies() -> None:
    assert auth.verify_password(PASSWORD, OLD_PASSWORD_HASH)
    assert not auth.verify_password(PASSWORD + " ", OLD_PASSWORD_HASH)
    assert passwords.hash_secret(PASSWORD, passwords.PASSWORD_COST, salt=b"fedcba9876543210") == OLD_PASSWORD_HASH


def test_both_sides_write_the_one_format_with_their_own_cost() -> None:
    pin, pw = hash_pin("13579246"), auth.hash_password(PASSWORD)
    assert passwords.parse(pin) is not None and passwords.parse(pw) is not None
    assert pin.startswith("scrypt$16384$8$1$") and pw.startswith("scrypt$32768$8$1$")
    assert verify_pin("13579246", pin) and auth.verify_password(PASSWORD, pw)
    assert pw != auth.hash_password(PASSWORD)  # a fresh salt each time
    assert not passwords.needs_rehash(pw, passwords.PASSWORD_COST) and passwords.needs_rehash(
        pin, passwords.PASSWORD_COST
    )


BAD = {
    "empty": "",
    "other scheme": OLD_PIN_HASH.replace("scrypt$", "bcrypt$"),
    "five parts": OLD_PIN_HASH.rsplit("$", 1)[0],
    "N not a power of two": OLD_PIN_HASH.replace("$16384$", "$16383$"),
    "N negative": OLD_PIN_HASH.replace("$16384$", "$-16384$"),
    "N huge (a minute and gigabytes per check)": OLD_PIN_HASH.replace("$16384$8$", "$1048576$64$"),
    "r zero": OLD_PIN_HASH.replace("$8$1$", "$0$1$"),
    "salt not base64": OLD_PIN_HASH.replace("MDEy", "M!Ey"),
    "key truncated to 8 bytes": OLD_PIN_HASH.rsplit("$", 1)[0] + "$VNGS1BW6RTU=",
    "full-width digits": OLD_PIN_HASH.replace("16384", "１６３８４"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_malformed_or_outsized_hash_never_matches_and_costs_nothing(case: str) -> None:
    started = time.monotonic()
    assert not passwords.verify("246810", BAD[case])
    assert not verify_pin("246810", BAD[case]) and not auth.verify_password("246810", BAD[case])
    assert time.monotonic() - started < 2


def test_the_hasher_refuses_a_cost_out_of_bounds() -> None:
    with pytest.raises(ValueError, match="cost"):
        passwords.hash_secret("x", passwords.Cost(3))
