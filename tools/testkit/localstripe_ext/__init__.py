"""Tollgate's extensions to localstripe 1.15.10, applied at import time;
localstripe_launcher.py (the entry point) imports .app and serves it.
README.md lists what is added."""
