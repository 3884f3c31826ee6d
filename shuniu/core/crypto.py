"""Encryption and keyed hashes for personal data (identity and phone numbers of persons), and sealed files.

Keys. One secret, `settings.SHUNIU_PERSONAL_DATA_KEY` (the environment variable of the same name), gives two keys by
HKDF: one encrypts, the other keys the look-up hash, so the hash column says nothing about the encryption key.
Without the setting (the demo, development) a secret is generated once and kept in
`settings.SHUNIU_PERSONAL_DATA_KEY_FILE` (mode 0600); production settings require the variable. Secrets used before
are listed in `settings.SHUNIU_PERSONAL_DATA_OLD_KEYS`: values under them stay readable until `shuniu keys rotate`
has re-encrypted them under the current secret.

Ciphers. `settings.SHUNIU_PERSONAL_DATA_CIPHER` chooses the scheme new values are written with:

- "aes-256-gcm" (default): AES-256-GCM, keys by HKDF-SHA256, look-up hash HMAC-SHA256.
- "sm4-gcm": the national standards a deployment under 商用密码应用安全性评估 (密评) selects — SM4 (GB/T 32907) in
  GCM mode, an authenticated mode like AES-GCM, so no separate MAC is needed; keys by HKDF-SM3 (GB/T 32905); look-up
  hash HMAC-SM3. Both come from `cryptography` (OpenSSL).

Stored text. A value is text, so SQLite and PostgreSQL hold it alike: `<scheme>:<key id>:` + URL-safe base64 of
nonce + ciphertext + tag, e.g. `sm4:1a2b3c4d:…`. The key id (8 hex digits derived from the secret by HKDF, saying
nothing of it) names the secret, so a database holds values of both schemes and several keys during a rotation, and
`decrypt()` reads any value whose secret it holds. `v1:` + base64 is the first format (AES-256-GCM, no key id): it
is read with every secret held. The purpose ("ric", "phone") is bound in as associated data: a ciphertext copied
into another kind of column does not decrypt. The look-up hash changes with the key: `keyed_hashes` gives it under
every key held, for look-ups during a rotation.

Why GCM for SM4: OpenSSL (through `cryptography`) offers SM4-GCM, which authenticates like AES-GCM; CTR or CBC would
need an HMAC-SM3 beside it (encrypt-then-MAC), more code for the same guarantee.

Sealed files (`seal` / `unseal`): whole files (uploaded import files) encrypted in memory the same way, behind a
binary header of magic, scheme and key id, so a file stays readable after a rotation or a change of cipher.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
PREFIX = f"{VERSION}:"  # the first format: AES-256-GCM without a key id
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_BYTES = 4
MIN_SECRET_LENGTH = 32
DEFAULT_CIPHER = "aes-256-gcm"
SEAL_MAGIC = b"SNS1"  # a sealed file: magic, scheme code (1 byte), key id (4 bytes), nonce, ciphertext + tag
SEAL_HEADER_BYTES = len(SEAL_MAGIC) + 1 + KEY_ID_BYTES
LABEL_LENGTH = len("aes:") + 2 * KEY_ID_BYTES  # `<scheme>:<key id>` at the start of stored text


class DecryptionError(Exception):
    """A stored value this key cannot decrypt (another key, or damaged text). The message never holds the value."""


# --- schemes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Scheme:
    """A cipher with its key derivation and look-up hash. `tag` starts the stored text, `code` marks sealed files."""

    name: str
    tag: str
    code: int
    key_bytes: int

    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return hashes.SM3() if self.tag == "sm4" else hashes.SHA256()


AES_256_GCM = Scheme(name="aes-256-gcm", tag="aes", code=1, key_bytes=32)
SM4_GCM = Scheme(name="sm4-gcm", tag="sm4", code=2, key_bytes=16)
SCHEMES: dict[str, Scheme] = {scheme.name: scheme for scheme in (AES_256_GCM, SM4_GCM)}
_BY_TAG = {scheme.tag: scheme for scheme in SCHEMES.values()}
_BY_CODE = {scheme.code: scheme for scheme in SCHEMES.values()}


@dataclass(frozen=True, eq=False)
class Key:
    """The keys one secret gives under one scheme."""

    scheme: Scheme
    key_id: bytes
    encryption_key: bytes
    hash_key: bytes
    label: str  # `<scheme>:<key id>`, the start of the text it stores
    aes: AESGCM | None = None  # built once (AES); SM4 builds a Cipher per value, as its mode object holds the nonce

    def encrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        """Ciphertext + 16-byte tag."""
        if self.aes is not None:
            return self.aes.encrypt(nonce, data, associated)
        encryptor = Cipher(algorithms.SM4(self.encryption_key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        """The plaintext; InvalidTag if this key did not encrypt it or it was changed."""
        if self.aes is not None:
            return self.aes.decrypt(nonce, data, associated)
        if len(data) < TAG_BYTES:
            raise InvalidTag
        decryptor = Cipher(
            algorithms.SM4(self.encryption_key), modes.GCM(nonce, data[-TAG_BYTES:], min_tag_length=TAG_BYTES)
        ).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(data[:-TAG_BYTES]) + decryptor.finalize()

    def hash(self, message: bytes) -> str:
        """HMAC (SHA-256 or SM3, 64 hex digits) of `message`."""
        if self.scheme is AES_256_GCM:
            return hmac.new(self.hash_key, message, hashlib.sha256).hexdigest()
        mac = crypto_hmac.HMAC(self.hash_key, self.scheme.hash_algorithm())
        mac.update(message)
        return mac.finalize().hex()


@lru_cache(maxsize=16)
def derive_key(scheme: Scheme, secret: str) -> Key:
    """The keys of `secret` under `scheme` (cached per scheme and secret, so changed settings take effect).

    AES keeps the derivation of the first format (salt, info), so values and hashes written before key ids existed
    stay valid under the same secret."""

    def derive(info: bytes, length: int) -> bytes:
        return HKDF(algorithm=scheme.hash_algorithm(), length=length, salt=b"shuniu-personal-data", info=info).derive(
            secret.encode()
        )

    if scheme is AES_256_GCM:
        encryption_key, hash_key = derive(b"encryption v1", 32), derive(b"lookup hash v1", 32)
    else:
        encryption_key, hash_key = derive(b"sm4 encryption v1", scheme.key_bytes), derive(b"sm3 lookup hash v1", 32)
    key_id = derive(b"key id v1", KEY_ID_BYTES)
    aes = AESGCM(encryption_key) if scheme is AES_256_GCM else None
    label = f"{scheme.tag}:{key_id.hex()}"
    return Key(scheme=scheme, key_id=key_id, encryption_key=encryption_key, hash_key=hash_key, label=label, aes=aes)


# --- configuration -----------------------------------------------------------------------------------------------


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


def old_secrets() -> list[str]:
    """`SHUNIU_PERSONAL_DATA_OLD_KEYS`: a list, or one comma-separated string (as the environment gives it)."""
    value = getattr(settings, "SHUNIU_PERSONAL_DATA_OLD_KEYS", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return [secret.strip() for secret in value if secret.strip()]


def configured_scheme() -> Scheme:
    name = (getattr(settings, "SHUNIU_PERSONAL_DATA_CIPHER", "") or DEFAULT_CIPHER).strip().lower()
    try:
        return SCHEMES[name]
    except KeyError:
        raise ImproperlyConfigured(_unknown_cipher_message(name)) from None


def _unknown_cipher_message(name: str) -> str:
    return f"SHUNIU_PERSONAL_DATA_CIPHER 的值 “{name}” 无法识别，可选：{'、'.join(SCHEMES)}。"


@dataclass(frozen=True)
class Keyring:
    """The current key, and every key a stored value can be read with (the current one first): each secret held
    (current, then old) under each scheme — a change of cipher alone leaves the values of the other scheme readable
    under the same secret."""

    current: Key
    held: tuple[Key, ...]
    by_label: dict[str, tuple[Key, ...]]  # `<scheme>:<key id>` (and "v1": every AES key) → the keys it may name


@lru_cache(maxsize=8)
def _keyring(settings_values: tuple) -> Keyring:
    """The keyring of the settings whose values are `settings_values` (read again here: only the cache key)."""
    secret = configured_secret()
    current = derive_key(configured_scheme(), secret)
    held = [current]
    for each in (secret, *(s for s in old_secrets() if len(s) >= MIN_SECRET_LENGTH)):
        for other in SCHEMES.values():
            key = derive_key(other, each)  # cached: the same object for the same scheme and secret
            if key not in held:
                held.append(key)
    by_label: dict[str, tuple[Key, ...]] = {VERSION: tuple(key for key in held if key.scheme is AES_256_GCM)}
    for key in held:
        by_label[key.label] = (*by_label.get(key.label, ()), key)
    return Keyring(current=current, held=tuple(held), by_label=by_label)


def keyring() -> Keyring:
    """The keys the settings give now: cached per setting values, so `override_settings` takes effect, and cheap to
    ask for on every value encrypted or decrypted."""
    old = getattr(settings, "SHUNIU_PERSONAL_DATA_OLD_KEYS", ())
    return _keyring(
        (
            getattr(settings, "SHUNIU_PERSONAL_DATA_CIPHER", ""),
            getattr(settings, "SHUNIU_PERSONAL_DATA_KEY", ""),
            old if isinstance(old, str) else tuple(old or ()),
            str(settings.SHUNIU_PERSONAL_DATA_KEY_FILE),
        )
    )


def current_key() -> Key:
    """The key new values and files are written with: the configured scheme under the current secret."""
    return keyring().current


def held_keys() -> tuple[Key, ...]:
    return keyring().held


@checks.register(checks.Tags.security)
def check_personal_data_key(app_configs, **kwargs):
    """A configured key that is too short, or a cipher not known, stops `manage.py check` (and every start), not the
    first page that reads an identity number. (Without a key setting the key file is made when first needed.)"""
    errors = []
    secret = (getattr(settings, "SHUNIU_PERSONAL_DATA_KEY", "") or "").strip()
    if secret and len(secret) < MIN_SECRET_LENGTH:
        errors.append(
            checks.Error(
                f"SHUNIU_PERSONAL_DATA_KEY 只有 {len(secret)} 个字符，至少需要 {MIN_SECRET_LENGTH} 个。",
                id="shuniu.E001",
            )
        )
    name = (getattr(settings, "SHUNIU_PERSONAL_DATA_CIPHER", "") or DEFAULT_CIPHER).strip().lower()
    if name not in SCHEMES:
        errors.append(checks.Error(_unknown_cipher_message(name), id="shuniu.E002"))
    for position, old in enumerate(old_secrets(), start=1):
        if len(old) < MIN_SECRET_LENGTH:
            errors.append(
                checks.Error(
                    f"SHUNIU_PERSONAL_DATA_OLD_KEYS 的第 {position} 个旧密钥只有 {len(old)} 个字符，"
                    f"至少需要 {MIN_SECRET_LENGTH} 个。",
                    id="shuniu.E003",
                )
            )
    return errors


# --- values ------------------------------------------------------------------------------------------------------


def is_token(text: str) -> bool:
    """Whether `text` is stored text (any scheme, any key) rather than a number typed in."""
    if text.startswith(PREFIX):
        return True
    tag, _, rest = text.partition(":")
    return tag in _BY_TAG and len(rest) > 2 * KEY_ID_BYTES and rest[2 * KEY_ID_BYTES] == ":"


def is_current(token: str) -> bool:
    """Whether stored text is under the current scheme and key (nothing for `keys rotate` to do)."""
    return token.startswith(current_key().label + ":")


def encrypt(plaintext: str, *, purpose: str) -> str:
    """`plaintext` encrypted with the current key, as stored text."""
    key = current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{key.label}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def _candidates(token: str) -> tuple[tuple[Key, ...], str]:
    """The held keys that may have written `token`, and its base64 part."""
    if token.startswith(PREFIX):
        return keyring().by_label[VERSION], token[len(PREFIX) :]
    if not is_token(token):
        raise DecryptionError("不是可识别的加密格式。")
    label, body = token[:LABEL_LENGTH], token[LABEL_LENGTH + 1 :]
    return keyring().by_label.get(label, ()), body


def decrypt(token: str, *, purpose: str) -> str:
    """The plaintext of stored text `token`; DecryptionError if no key held can read it."""
    keys, body = _candidates(token)
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (ValueError, UnicodeError):
        raise DecryptionError("无法解密：数据已损坏。") from None
    for key in keys:
        try:
            return key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
        except (InvalidTag, ValueError, UnicodeError):
            continue
    raise DecryptionError("无法解密：密钥与加密时不同，或数据已损坏。")


def _hash_message(value: str, purpose: str) -> bytes:
    return purpose.encode() + b"\x00" + value.encode()


def keyed_hash(value: str, *, purpose: str) -> str:
    """The look-up hash (HMAC-SHA256 or HMAC-SM3, hex) of a normalised `value` under the current key: equal values
    give equal hashes, for look-up and de-duplication."""
    return current_key().hash(_hash_message(value, purpose))


def keyed_hashes(value: str, *, purpose: str) -> list[str]:
    """The look-up hash of `value` under every key held, the current one first: a column mid-rotation holds hashes
    under old keys too, and a look-up by all of them finds every row."""
    message = _hash_message(value, purpose)
    return list(dict.fromkeys(key.hash(message) for key in held_keys()))


# --- files -------------------------------------------------------------------------------------------------------


def _seal_header(key: Key) -> bytes:
    return SEAL_MAGIC + bytes([key.scheme.code]) + key.key_id


def seal(data: bytes, *, purpose: str) -> bytes:
    """`data` (a whole file) encrypted with the current key: header (magic, scheme, key id), nonce, ciphertext and
    tag. The header and `purpose` are authenticated with it."""
    key = current_key()
    header = _seal_header(key)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + key.encrypt(nonce, data, header + purpose.encode())


def is_sealed(data: bytes) -> bool:
    return data.startswith(SEAL_MAGIC)


def sealed_label(data: bytes) -> str | None:
    """`<scheme>:<key id>` of a sealed file's header, None if it is not sealed (or its scheme is unknown)."""
    if len(data) < SEAL_HEADER_BYTES or not is_sealed(data) or data[len(SEAL_MAGIC)] not in _BY_CODE:
        return None
    return f"{_BY_CODE[data[len(SEAL_MAGIC)]].tag}:{data[len(SEAL_MAGIC) + 1 : SEAL_HEADER_BYTES].hex()}"


def is_sealed_current(data: bytes) -> bool:
    """Whether a sealed file is under the current scheme and key."""
    return data[:SEAL_HEADER_BYTES] == _seal_header(current_key())


def unseal(data: bytes, *, purpose: str) -> bytes:
    """The contents of a sealed file; DecryptionError if it is not one, no key held reads it, or it was changed."""
    label = sealed_label(data)
    if label is None or len(data) < SEAL_HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("不是可识别的加密文件。")
    header, nonce = data[:SEAL_HEADER_BYTES], data[SEAL_HEADER_BYTES : SEAL_HEADER_BYTES + NONCE_BYTES]
    body = data[SEAL_HEADER_BYTES + NONCE_BYTES :]
    for key in keyring().by_label.get(label, ()):
        try:
            return key.decrypt(nonce, body, header + purpose.encode())
        except InvalidTag:
            continue
    raise DecryptionError("无法解密文件：密钥与加密时不同，或文件已损坏。")
