"""The service catalogue holds no personal data (ADR 0024): public offers and rules only."""

WITHOUT_PERSONAL_DATA = (
    "catalog.Topic", "catalog.LifeSituation", "catalog.OzgService", "catalog.Service",
    "catalog.Offer", "catalog.Responsibility",
)  # fmt: skip
