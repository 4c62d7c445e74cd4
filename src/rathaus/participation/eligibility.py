"""Who may take part in a process: the one rule for surveys, proposals and votes (ADR 0070).

- ``anonymous``: everyone, without an account;
- ``everyone``: everyone with a citizen account, at any trust level;
- ``residents``: a citizen account whose postal code is one of the municipality's (its
  localities', or the authority's own) and a login of at least the process's trust level.

The trust level is the one of the current login (``accounts.trust``: it lives in the session,
a BundID login gives "substantial" or "high", a password login "basic"). The postal code is the
one in the account's profile; the residents rule trusts it as far as the login's trust level
vouches for it, which is why binding decisions ask for a higher level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from rathaus.accounts.models import Account, TrustLevel
from rathaus.core.models import Authority, Locality
from rathaus.participation.models import Process


@dataclass(frozen=True)
class Refusal:
    """Why someone may not take part; ``kind`` is "login", "trust" or "residence"."""

    kind: str
    message: str


def town_postal_codes(authority: Authority) -> set[str]:
    codes = set(Locality.objects.filter(authority=authority).values_list("postal_code", flat=True))
    if authority.postal_code:
        codes.add(authority.postal_code)
    return codes


def account_of(user: Any) -> Account | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Account.objects.filter(user=user).first()


def refusal(process: Process, user: Any, trust_level: str | None) -> Refusal | None:
    """None if ``user`` (logged in with ``trust_level``, None when not logged in as a citizen)
    may take part in ``process``; otherwise why not, in words."""
    if process.eligibility == Process.Eligibility.ANONYMOUS:
        return None
    account = account_of(user)
    if account is None or trust_level is None:
        message = _(
            "Please log in with your citizen account to take part. You can create an account "
            "in a few minutes."
        )
        return Refusal("login", message)
    if process.eligibility == Process.Eligibility.EVERYONE:
        return None
    if TrustLevel.rank(trust_level) < TrustLevel.rank(process.min_trust_level):
        return Refusal(
            "trust",
            _("Only residents who have proven who they are may take part: you need a login "
              "with the trust level “%(required)s”, you are logged in with “%(current)s”. Log "
              "in with the online ID function of your identity card (BundID) to take part.")
            % {"required": TrustLevel(process.min_trust_level).label,
               "current": TrustLevel(trust_level).label},
        )  # fmt: skip
    codes = town_postal_codes(process.authority)
    if account.postal_code not in codes:
        return Refusal(
            "residence",
            _("Only residents of %(town)s may take part. The postal code in your account "
              "(%(code)s) is not one of the municipality's (%(codes)s). If you have moved here, "
              "please enter your new address in your account.")
            % {"town": process.authority.name, "code": account.postal_code or _("none"),
               "codes": ", ".join(sorted(codes))},
        )  # fmt: skip
    return None
