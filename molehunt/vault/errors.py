"""The vault's errors: a refused request (with the reason that decided it) and a damaged or unreadable blob."""

from __future__ import annotations

from molehunt.errors import MolehuntError


class VaultError(MolehuntError):
    """The vault cannot do what was asked: a bad label, a missing file, an unusable key."""


class VaultDenied(VaultError):
    """A request the vault refused. ``reason`` names the policy (or limit) that decided."""

    def __init__(self, action: str, target: str, reason: str) -> None:
        super().__init__(f"{action} {target} denied: {reason}")
        self.action = action
        self.target = target
        self.reason = reason


class VaultIntegrityError(VaultError):
    """A stored blob failed authenticated decryption (altered, truncated, or the key is wrong) or cannot be read as
    a file. ``reason`` is the short form the audit entry records."""

    def __init__(self, message: str, reason: str = "integrity check failed") -> None:
        super().__init__(message)
        self.reason = reason


class VaultHeld(VaultDenied):
    """A read or checkout held for a second person's approval (two-person rule): ``request_id`` names the pending
    request. The message says only that it needs approval, never why (a person is never told their level)."""

    def __init__(self, action: str, target: str, request_id: str) -> None:
        super().__init__(action, target, f"needs approval: request {request_id}")
        self.request_id = request_id
