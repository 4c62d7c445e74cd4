"""Payment providers (plugins): the interface, the XBezahldienste-shaped data they exchange,
and the registry (ADR 0046)."""
