"""Submissions exchanged with authorities elsewhere, compatible with FIT-Connect (ADR 0052)."""
