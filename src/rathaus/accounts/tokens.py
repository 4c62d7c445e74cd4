"""Single-use links for e-mail confirmation: they stop working once the account is confirmed."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "rathaus.accounts.email-confirmation"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        account = getattr(user, "account", None)
        confirmed = account.email_verified_at if account else None
        email = getattr(user, "email", "")
        return f"{user.pk}{email}{confirmed}{user.is_active}{timestamp}"


email_confirmation = EmailConfirmationTokenGenerator()
