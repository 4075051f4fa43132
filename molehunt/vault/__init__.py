"""The document vault: labels, clearances, need-to-know, encrypted storage, checkout and decoys.

>>> vault = Vault.open(resolve_home(tmp))  # doctest: +SKIP
>>> vault.grant("alice", "SECRET:CRYPTO", ["apollo"])  # doctest: +SKIP
>>> doc_id = vault.add(Path("plan.md"), "SECRET", "apollo", as_user="alice")  # doctest: +SKIP
>>> vault.read(doc_id, as_user="alice")  # doctest: +SKIP
"""

from molehunt.vault.errors import VaultDenied, VaultError, VaultIntegrityError
from molehunt.vault.labels import DEFAULT_LEVELS, Label, Levels, dominates
from molehunt.vault.service import Checkout, DocumentInfo, Subject, Vault, VaultConfig

__all__ = [
    "DEFAULT_LEVELS",
    "Checkout",
    "DocumentInfo",
    "Label",
    "Levels",
    "Subject",
    "Vault",
    "VaultConfig",
    "VaultDenied",
    "VaultError",
    "VaultIntegrityError",
    "dominates",
]
