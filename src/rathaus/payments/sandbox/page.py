"""The sandbox's payment page: plain HTML in the portal's language, big buttons, no
JavaScript; a form posts the payer's choice."""

from __future__ import annotations

from html import escape
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

STYLE = """
body{font-family:system-ui,sans-serif;font-size:1.125rem;line-height:1.5;max-width:40rem;
margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.75rem}.note{background:#fff4ce;border-left:.4rem solid #b58100;padding:.75rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;
border-bottom:1px solid #767676}td.num,th.num{text-align:right}
.amount{font-size:1.5rem;font-weight:bold}
button{display:block;width:100%;min-height:3.5rem;margin:.75rem 0;font-size:1.25rem;
border-radius:.4rem;border:2px solid #1b1b1b;cursor:pointer}
button.pay{background:#00594c;color:#fff;border-color:#00594c}
button.fail{background:#fff;color:#8b0000;border-color:#8b0000}
button.cancel{background:#fff;color:#1b1b1b}
button:focus{outline:.25rem solid #ffbf47;outline-offset:.15rem}
"""


def money(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d} €"


def _item_rows(items: list[dict[str, Any]]) -> str:
    from rathaus.payments.sandbox import wire

    rows = []
    for item in items:
        try:
            amount = money(wire.cents(item.get("grosAmount", 0)))
        except ValueError:
            amount = ""
        rows.append(
            f"<tr><td>{escape(str(item.get('description', '')))}</td>"
            f"<td class='num'>{escape(str(item.get('quantity', '')))}</td>"
            f"<td class='num'>{amount}</td></tr>"
        )
    return "".join(rows)


def texts() -> dict[str, str]:
    """The page's texts in the active language."""
    return {
        "note": _("This is a test payment page. No real money is moved."),
        "purpose": _("Purpose"),
        "items": _("Items"),
        "description": _("Description"),
        "quantity": _("Quantity"),
        "amount": _("Amount"),
        "to_pay": _("Amount to pay"),
        "done": _("This payment has been completed already."),
        "back": _("Back to the town hall portal"),
        "choose": _("Please choose one of the buttons."),
        "pay": _("Pay"),
        "fail": _("Let the payment fail"),
        "cancel": _("Cancel"),
    }


def render(transaction: Any, *, invalid: bool = False) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(transaction, invalid).encode("utf-8")


def _render(transaction: Any, invalid: bool) -> str:
    title = _("Payment sandbox")
    t = texts()
    parts = [
        f"<!doctype html><html lang='{escape(translation.get_language() or 'de')}'><head>"
        "<meta charset='utf-8'><meta name='viewport' content='width=device-width, "
        f"initial-scale=1'><title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<main><h1>{escape(title)}</h1>",
        f"<p class='note'>{escape(t['note'])}</p>",
        f"<p>{escape(t['purpose'])}: <strong>{escape(transaction.purpose)}</strong></p>",
    ]
    if transaction.description:
        parts.append(f"<p>{escape(transaction.description)}</p>")
    if transaction.items:
        parts.append(
            f"<table><caption>{escape(t['items'])}</caption><thead><tr>"
            f"<th scope='col'>{escape(t['description'])}</th>"
            f"<th scope='col' class='num'>{escape(t['quantity'])}</th>"
            f"<th scope='col' class='num'>{escape(t['amount'])}</th></tr></thead>"
            f"<tbody>{_item_rows(transaction.items)}</tbody></table>"
        )
    parts.append(
        f"<p>{escape(t['to_pay'])}: "
        f"<span class='amount'>{money(transaction.amount_cents)}</span></p>"
    )
    if transaction.status != "INITIAL":
        parts.append(
            f"<p role='status'>{escape(t['done'])}</p>"
            f"<p><a href='{escape(transaction.redirect_url)}'>"
            f"{escape(t['back'])}</a></p>"
        )
    else:
        if invalid:
            parts.append(f"<p role='alert'>{escape(t['choose'])}</p>")
        parts.append(
            f"<form method='post' action='/pay/{escape(transaction.id)}'>"
            f"<button type='submit' name='choice' value='pay' class='pay'>"
            f"{escape(t['pay'])}</button>"
            f"<button type='submit' name='choice' value='fail' class='fail'>"
            f"{escape(t['fail'])}</button>"
            f"<button type='submit' name='choice' value='cancel' class='cancel'>"
            f"{escape(t['cancel'])}</button></form>"
        )
    parts.append("</main></body></html>")
    return "".join(parts)
