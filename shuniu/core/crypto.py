"""Encryption and keyed hashes for personal data (identity and phone numbers of persons).

One secret, `settings.SHUNIU_PERSONAL_DATA_KEY` (the environment variable of the same name), gives two keys by HKDF:
one encrypts (AES-256-GCM, a fresh 96-bit nonce per value), the other keys the HMAC-SHA256 look-up hash, so the hash
column says nothing about the encryption key. Without the setting (the demo, development) a key is generated once
and kept in `settings.SHUNIU_PERSONAL_DATA_KEY_FILE` (mode 0600); production settings require the variable.

A value is stored as text, `v1:` + URL-safe base64 of nonce + ciphertext, so SQLite and PostgreSQL hold it alike and
a later scheme can be told apart by its prefix. The purpose ("ric", "phone") is bound in as associated data: a
ciphertext copied into another kind of column does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
PREFIX = f"{VERSION}:"
NONCE_BYTES = 12
MIN_SECRET_LENGTH = 32


class DecryptionError(Exception):
    """A stored value this key cannot decrypt (another key, or damaged text). The message never holds the value."""


def _key_file_secret(path: Path) -> str:
    """The demo's own secret: read from `path`, or generated and written there (readable by the owner only)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    return secret


_key_file_secrets: dict[Path, str] = {}


def _key_file_secret_once(path: Path) -> str:
    """The key file is read once per process, not once per value encrypted or decrypted. A secret too short to use
    (a file another process has created but not yet written) is read again next time."""
    secret = _key_file_secrets.get(path)
    if secret is None:
        secret = _key_file_secret(path)
        if len(secret) >= MIN_SECRET_LENGTH:
            _key_file_secrets[path] = secret
    return secret


def configured_secret() -> str:
    secret = (getattr(settings, "SHUNIU_PERSONAL_DATA_KEY", "") or "").strip()
    if not secret:
        secret = _key_file_secret_once(Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE))
    if len(secret) < MIN_SECRET_LENGTH:
        raise ImproperlyConfigured(
            f"SHUNIU_PERSONAL_DATA_KEY 至少需要 {MIN_SECRET_LENGTH} 个字符（例如 python -c "
            '"import secrets; print(secrets.token_urlsafe(48))" 生成）。'
        )
    return secret


@checks.register(checks.Tags.security)
def check_personal_data_key(app_configs, **kwargs):
    """A configured key that is too short stops `manage.py check` (and every start), not the first page that reads
    an identity number. (Without a setting nothing is checked: the key file is made when first needed.)"""
    secret = (getattr(settings, "SHUNIU_PERSONAL_DATA_KEY", "") or "").strip()
    if secret and len(secret) < MIN_SECRET_LENGTH:
        return [
            checks.Error(
                f"SHUNIU_PERSONAL_DATA_KEY 只有 {len(secret)} 个字符，至少需要 {MIN_SECRET_LENGTH} 个。",
                id="shuniu.E001",
            )
        ]
    return []


@lru_cache(maxsize=4)
def _derived_keys(secret: str) -> tuple[AESGCM, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"shuniu-personal-data", info=info).derive(
            secret.encode()
        )

    return AESGCM(derive(b"encryption v1")), derive(b"lookup hash v1")


def _keys() -> tuple[AESGCM, bytes]:
    return _derived_keys(configured_secret())


def encrypt(plaintext: str, *, purpose: str) -> str:
    """`plaintext` encrypted, as stored text."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _keys()[0].encrypt(nonce, plaintext.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, purpose: str) -> str:
    """The plaintext of stored text `token`; DecryptionError if this key cannot read it."""
    if not token.startswith(PREFIX):
        raise DecryptionError("不是可识别的加密格式。")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode("ascii"))
        return _keys()[0].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except (InvalidTag, ValueError, UnicodeError):
        raise DecryptionError("无法解密：密钥与加密时不同，或数据已损坏。") from None


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised `value` (hex): equal values give equal hashes, for look-up and de-duplication."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(_keys()[1], message, hashlib.sha256).hexdigest()
