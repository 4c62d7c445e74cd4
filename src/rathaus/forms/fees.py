"""A form's fee declaration (the version's ``fee``): checked when the version is saved and
computed from the answers (ADR 0048, docs/forms.md "Fees").

``{"items": [ITEM, ...], "pay_now_if": CONDITION}``; an ITEM is a fixed amount
(``{"label", "amount_cents"}``), the same per item (with ``"quantity": "path"``), or an entry of
the authority's fee table (``{"fee": code, "quantity": "path"}``); every ITEM may have
``"when"``: a condition (as in ``show_if``) or a list of them, all of which must hold.

The forms app does not know the fee table: the payments app fills in :data:`pricing` (the
price of a fee-table code) and :data:`payment_links` (where the applicant pays for a
submission) when it starts. Without them, fee-table lines have no amount and nothing links.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rathaus.forms.engine.layout import Condition, condition_of, types_of
from rathaus.forms.engine.paths import get_path, template_of

ITEM_KEYS = {"label", "amount_cents", "quantity", "fee", "when"}
CONDITION_KEYS = {"field", "equals", "in", "filled"}


@dataclass(frozen=True)
class FeeLine:
    """One line of the fee: a fixed amount per unit, or a code of the authority's fee table."""

    label: str
    quantity: int
    unit_cents: int | None = None
    fee_code: str = ""


@dataclass(frozen=True)
class PricedLine:
    """A line with its price in cents (a fee-table line may become two: first and further
    copies)."""

    label: str
    quantity: int
    unit_cents: int
    fee_basis: str = ""
    reference: str = ""

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents


@dataclass(frozen=True)
class Fee:
    """The fee of an application as the check page shows it."""

    lines: tuple[PricedLine, ...]
    pay_now: bool
    unpriced: tuple[str, ...] = ()  # fee-table codes nobody could price

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)


PriceFunction = Callable[[Any, str, int], list[PricedLine]]


class _Seams:
    """What the payments app fills in at start: the price of a fee-table code
    ``(authority, code, quantity) -> [PricedLine]`` (raises LookupError for an unknown code) and
    the payment page of a submission ``(submission) -> url or None``."""

    def __init__(self) -> None:
        self.price: PriceFunction | None = None
        self.payment_link: Callable[[Any], str | None] | None = None
        # the absolute address of the payment page for an e-mail (with its access token)
        self.mail_payment_link: Callable[[Any], str | None] | None = None


seams = _Seams()


# --- the declaration -------------------------------------------------------------------------


def declared(version: Any) -> bool:
    """Whether the version declares a fee that is asked for online."""
    fee = getattr(version, "fee", None)
    return isinstance(fee, Mapping) and bool(fee.get("items"))


def _conditions(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def _condition_problems(raw: Any, where: str, questions: Mapping[str, Any]) -> list[str]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("field"), str):
        return [f"{where}: a condition needs a 'field' path."]
    problems = []
    unknown = sorted(set(raw) - CONDITION_KEYS)
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(unknown)} in the condition.")
    if template_of(raw["field"]) not in questions:
        problems.append(f"{where}: the condition refers to {raw['field']!r}, which is not a "
                        "question of this form.")  # fmt: skip
    if "in" in raw and not isinstance(raw["in"], list):
        problems.append(f"{where}: 'in' needs a list of values.")
    return problems


def problems(fee: Any, questions: Mapping[str, Any]) -> list[str]:
    """Every problem of a fee declaration; ``questions`` maps a question's path template to its
    schema (see :func:`questions_of`)."""
    if fee in (None, {}):
        return []
    if not isinstance(fee, Mapping):
        return ["The fee must be an object with 'items'."]
    found = []
    unknown = sorted(set(fee) - {"items", "pay_now_if"})
    if unknown:
        found.append(f"The fee has unknown keys: {', '.join(unknown)}.")
    items = fee.get("items")
    if not isinstance(items, list) or not items:
        found.append("The fee needs a non-empty list 'items'.")
        items = []
    for number, item in enumerate(items, start=1):
        where = f"Fee item {number}"
        if not isinstance(item, Mapping):
            found.append(f"{where} must be an object.")
            continue
        if item.get("label"):
            where = f"{where} ({item['label']})"
        elif item.get("fee"):
            where = f"{where} ({item['fee']})"
        unknown = sorted(set(item) - ITEM_KEYS)
        if unknown:
            found.append(f"{where}: unknown keys {', '.join(unknown)}.")
        if "fee" in item:
            if not isinstance(item["fee"], str) or not item["fee"]:
                found.append(f"{where}: 'fee' must be a code of the fee table.")
            if "amount_cents" in item:
                found.append(f"{where}: give either 'fee' or 'amount_cents', not both.")
        else:
            if not isinstance(item.get("label"), str) or not item.get("label"):
                found.append(f"{where}: a fixed amount needs a 'label'.")
            amount = item.get("amount_cents")
            if not isinstance(amount, int) or isinstance(amount, bool):
                found.append(f"{where}: 'amount_cents' must be a whole number of cents.")
            elif amount < 0:
                found.append(f"{where}: the amount cannot be negative.")
        if "quantity" in item:
            path = item["quantity"]
            schema = questions.get(template_of(path)) if isinstance(path, str) else None
            if schema is None:
                found.append(f"{where}: the quantity {path!r} is not a question of this form.")
            elif "integer" not in types_of(schema):
                found.append(f"{where}: the quantity {path!r} is not a whole-number question.")
            elif not isinstance(schema.get("minimum"), int) or schema["minimum"] < 0:
                found.append(f"{where}: the quantity question {path!r} needs a 'minimum' of 0 "
                             "or more, so that nobody can order a negative number.")  # fmt: skip
        for condition in _conditions(item.get("when")):
            found += _condition_problems(condition, where, questions)
    if "pay_now_if" in fee:
        found += _condition_problems(fee["pay_now_if"], "The fee's pay_now_if", questions)
    return found


def questions_of(spec: Any) -> dict[str, Any]:
    """The questions of a form (``FormSpec``) by path template, with their schema."""
    return {path: element.schema for path, element in spec.fields()}


# --- computing ---------------------------------------------------------------------------------


def _holds(raw: Any, data: Mapping[str, Any]) -> bool:
    condition: Condition | None = condition_of(raw)
    return condition is None or condition.holds(data)


def _quantity(item: Mapping[str, Any], data: Mapping[str, Any]) -> int:
    if "quantity" not in item:
        return 1
    value = get_path(data, str(item["quantity"]))
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return int(value)


def lines(version: Any, data: Mapping[str, Any]) -> list[FeeLine]:
    """The fee lines for these answers: items whose conditions hold and whose quantity is at
    least 1 (a quantity below 1 is caught by the form's own rules)."""
    if not declared(version):
        return []
    result = []
    for item in version.fee["items"]:
        if not all(_holds(raw, data) for raw in _conditions(item.get("when"))):
            continue
        quantity = _quantity(item, data)
        if quantity < 1:
            continue
        if "fee" in item:
            result.append(FeeLine(str(item.get("label", "")), quantity, fee_code=item["fee"]))
        else:
            result.append(FeeLine(str(item["label"]), quantity, int(item["amount_cents"])))
    return result


def pay_now(version: Any, data: Mapping[str, Any]) -> bool:
    """Whether the fee is paid right after sending (``pay_now_if`` absent or holding)."""
    if not declared(version):
        return False
    return "pay_now_if" not in version.fee or _holds(version.fee["pay_now_if"], data)


def price(authority: Any, line: FeeLine) -> list[PricedLine]:
    """The priced lines of one fee line; a fee-table code goes through the payments app."""
    if line.fee_code:
        if seams.price is None:
            raise LookupError(line.fee_code)
        return seams.price(authority, line.fee_code, line.quantity)
    return [PricedLine(line.label, line.quantity, line.unit_cents or 0)]


def compute(version: Any, data: Mapping[str, Any], authority: Any) -> Fee | None:
    """The fee for these answers, priced; None when the version declares none."""
    if not declared(version):
        return None
    priced: list[PricedLine] = []
    unpriced: list[str] = []
    for line in lines(version, data):
        try:
            priced += price(authority, line)
        except LookupError:
            unpriced.append(line.fee_code)
    return Fee(tuple(priced), pay_now(version, data), tuple(unpriced))


def mail_payment_link(submission: Any) -> str | None:
    """Where the applicant without an account pays, for the receipt e-mail (None: nothing
    open to pay)."""
    return seams.mail_payment_link(submission) if seams.mail_payment_link is not None else None


def payment_link(submission: Any) -> str | None:
    """Where the applicant pays for this submission (None: nothing open to pay)."""
    return seams.payment_link(submission) if seams.payment_link is not None else None
