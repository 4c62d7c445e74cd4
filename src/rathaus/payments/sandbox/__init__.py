"""The payment sandbox: a payment service for the demo and the tests that runs as its own
process (``rathaus payment-sandbox --port N``) and behaves like a real provider, awkward parts
included (docs/payments.md, ADR 0047). It uses no database and no Django views: its state is
in memory and is gone when it stops."""
