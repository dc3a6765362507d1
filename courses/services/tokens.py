"""Manage tokens: the secret in a registrant's link that lets them see and cancel.

The token is HMAC-SHA256(secret key, nonce). The database keeps the nonce and the token's
SHA-256 (for lookup), never the token: a leaked database does not let anyone cancel for others,
but whoever holds the secret key can write the link into a later mail (a promotion, a change).
Changing `COURSES_SECRET_KEY` therefore invalidates the links in mails not yet sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["hash_token", "new_token", "token_for"]


def token_for(secret_key: str, nonce: str) -> str:
    digest = hmac.new(secret_key.encode(), nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_token(secret_key: str) -> tuple[str, str]:
    """A fresh (token, nonce) pair."""
    nonce = secrets.token_hex(16)
    return token_for(secret_key, nonce), nonce


def hash_token(token: str) -> str:
    """Only this is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()
