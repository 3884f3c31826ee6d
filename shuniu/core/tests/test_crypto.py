"""The personal-data cipher: AES-256-GCM or SM4-GCM (with HMAC-SM3 look-up hashes), values and sealed files that
name their scheme and key, and values written under an old key or scheme still read until rotated."""

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from shuniu.core import crypto

KEY = "test-personal-data-key-not-for-production-use-0123456789"
OLD_KEY = "the-previous-personal-data-key-before-rotation-0123456789"
NEW_KEY = "the-next-personal-data-key-after-rotation-abcdefghijklmn"
PHONE = "13812345678"


def derive(secret: str, algorithm, info: bytes, length: int) -> bytes:
    """The derivation written out again from its description (HKDF, salt "shuniu-personal-data")."""
    return HKDF(algorithm=algorithm, length=length, salt=b"shuniu-personal-data", info=info).derive(secret.encode())


def body(token: str) -> bytes:
    return base64.urlsafe_b64decode(token.rsplit(":", 1)[1])


def first_format_token(secret: str, plaintext: str, purpose: str) -> str:
    """A value as the first format wrote it: `v1:` + AES-256-GCM, no key id."""
    nonce = b"\x01" * 12
    key = derive(secret, hashes.SHA256(), b"encryption v1", 32)
    return (
        "v1:"
        + base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), purpose.encode())).decode()
    )


@pytest.mark.parametrize("cipher, tag", [("aes-256-gcm", "aes"), ("sm4-gcm", "sm4")])
def test_values_round_trip_under_either_cipher(cipher, tag):
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER=cipher):
        token = crypto.encrypt(PHONE, purpose="phone")
        assert token.startswith(f"{tag}:{crypto.current_key().key_id.hex()}:") and PHONE not in token
        assert crypto.decrypt(token, purpose="phone") == PHONE
        assert crypto.encrypt(PHONE, purpose="phone") != token  # a fresh nonce each time


def test_sm4_values_are_sm4_gcm_under_an_hkdf_sm3_key():
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER="sm4-gcm"):
        token = crypto.encrypt(PHONE, purpose="phone")
    raw = body(token)
    key = derive(KEY, hashes.SM3(), b"sm4 encryption v1", 16)
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(raw[:12], raw[-16:])).decryptor()
    decryptor.authenticate_additional_data(b"phone")
    assert (decryptor.update(raw[12:-16]) + decryptor.finalize()).decode() == PHONE


def test_sm4_lookup_hash_is_hmac_sm3():
    mac = crypto_hmac.HMAC(derive(KEY, hashes.SM3(), b"sm3 lookup hash v1", 32), hashes.SM3())
    mac.update(b"phone\x00" + PHONE.encode())
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER="sm4-gcm"):
        assert crypto.keyed_hash(PHONE, purpose="phone") == mac.finalize().hex()
    # the AES scheme's hash stays HMAC-SHA256 under the first derivation: hash columns written before stay valid
    mac = crypto_hmac.HMAC(derive(KEY, hashes.SHA256(), b"lookup hash v1", 32), hashes.SHA256())
    mac.update(b"phone\x00" + PHONE.encode())
    assert crypto.keyed_hash(PHONE, purpose="phone") == mac.finalize().hex()


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_tampered_values_do_not_decrypt(cipher):
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER=cipher):
        token = crypto.encrypt(PHONE, purpose="phone")
        assert token.startswith(cipher[:3] + ":")
        raw = bytearray(body(token))
        raw[15] ^= 1
        label = token.rsplit(":", 1)[0]
        for damaged in (
            f"{label}:" + base64.urlsafe_b64encode(bytes(raw)).decode(),
            token[:-4],
            f"{label}:!!!",
            token.replace(label, label[:4] + "00000000"),  # a key id no key held has
        ):
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(damaged, purpose="phone")
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token, purpose="ric")


def test_first_format_values_still_read_and_are_due_for_rotation():
    token = first_format_token(KEY, PHONE, "phone")
    assert crypto.decrypt(token, purpose="phone") == PHONE
    assert crypto.is_token(token) and not crypto.is_current(token)
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER="sm4-gcm"):  # a change of cipher alone: still read
        assert crypto.decrypt(token, purpose="phone") == PHONE


def test_values_under_an_old_key_read_while_it_is_held():
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OLD_KEY):
        token = crypto.encrypt(PHONE, purpose="phone")
        old_hash = crypto.keyed_hash(PHONE, purpose="phone")
    legacy = first_format_token(OLD_KEY, PHONE, "phone")
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=NEW_KEY):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token, purpose="phone")
        assert old_hash not in crypto.keyed_hashes(PHONE, purpose="phone")
    for old_keys in (OLD_KEY, f" {OLD_KEY} ,", [OLD_KEY]):
        with override_settings(
            SHUNIU_PERSONAL_DATA_KEY=NEW_KEY,
            SHUNIU_PERSONAL_DATA_OLD_KEYS=old_keys,
            SHUNIU_PERSONAL_DATA_CIPHER="sm4-gcm",
        ):
            assert crypto.decrypt(token, purpose="phone") == PHONE
            assert crypto.decrypt(legacy, purpose="phone") == PHONE
            assert not crypto.is_current(token)
            hashes_held = crypto.keyed_hashes(PHONE, purpose="phone")
            assert hashes_held[0] == crypto.keyed_hash(PHONE, purpose="phone") and old_hash in hashes_held


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_sealed_files_round_trip_and_name_their_scheme_and_key(cipher):
    data = b"PK\x03\x04" + bytes(range(256)) * 100
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER=cipher):
        sealed = crypto.seal(data, purpose="import-file")
        assert crypto.is_sealed(sealed) and crypto.is_sealed_current(sealed) and data not in sealed
        assert crypto.sealed_label(sealed) == crypto.current_key().label
        assert crypto.unseal(sealed, purpose="import-file") == data
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(sealed, purpose="another")
        for damaged in (sealed[:-1] + bytes([sealed[-1] ^ 1]), sealed[:20], data, b""):
            with pytest.raises(crypto.DecryptionError):
                crypto.unseal(damaged, purpose="import-file")
        header = bytearray(sealed)
        header[4] = 3 - header[4]  # the other scheme's code
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(bytes(header), purpose="import-file")
    # after a rotation and a change of cipher the file still opens, while the old key is held
    other = "sm4-gcm" if cipher == "aes-256-gcm" else "aes-256-gcm"
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=NEW_KEY, SHUNIU_PERSONAL_DATA_OLD_KEYS=KEY):
        with override_settings(SHUNIU_PERSONAL_DATA_CIPHER=other):
            assert not crypto.is_sealed_current(sealed)
            assert crypto.unseal(sealed, purpose="import-file") == data
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=NEW_KEY):
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(sealed, purpose="import-file")


def test_an_unknown_cipher_or_a_short_old_key_stops_the_start():
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER="des"):
        (error,) = crypto.check_personal_data_key(None)
        assert error.id == "shuniu.E002" and "无法识别" in error.msg and "sm4-gcm" in error.msg
        with pytest.raises(ImproperlyConfigured):
            crypto.encrypt(PHONE, purpose="phone")
    with override_settings(SHUNIU_PERSONAL_DATA_OLD_KEYS="short"):
        (error,) = crypto.check_personal_data_key(None)
        assert error.id == "shuniu.E003" and "至少需要" in error.msg
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER="SM4-GCM"):
        assert crypto.check_personal_data_key(None) == []
        assert crypto.current_key().scheme is crypto.SM4_GCM
