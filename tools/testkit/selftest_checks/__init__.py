"""The checks selftest.py (the entry point) runs, by what they check: the
Stripe emulator, the SMTP sink, the CRM emulator's two vendors."""
