from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores ciphertext; Python code sees plaintext. Not filterable: use a blind index."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            raise NotImplementedError(
                f"Encrypted fields cannot be filtered with '{lookup_name}'; use a blind index."
            )
        return super().get_lookup(lookup_name)
