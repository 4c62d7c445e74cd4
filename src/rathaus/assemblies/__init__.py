"""The assembly notice (Versammlungsanzeige): a service package for the assembly authority."""
