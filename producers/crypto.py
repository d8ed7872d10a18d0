"""Encryption at rest for household personal data.

Values are encrypted with Fernet (AES-128-CBC + HMAC); lookups and uniqueness use a
keyed blind index (HMAC-SHA256), so the plaintext is never stored or compared in SQL.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _master_key() -> bytes:
    configured = settings.FIELD_ENCRYPTION_KEY or f"derived:{settings.SECRET_KEY}"
    return hashlib.sha256(configured.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(master: bytes) -> Fernet:
    key = hmac.new(master, b"dongxi.field-encryption", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    return _fernet(_master_key()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_master_key()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted value cannot be read with the configured key.") from exc


def blind_index(value: str) -> str:
    key = hmac.new(_master_key(), b"dongxi.blind-index", hashlib.sha256).digest()
    normalised = value.strip().upper()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int = 4, keep_end: int = 2) -> str:
    """'5223270101000123' -> '5223**********23'. Short values are masked entirely."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
