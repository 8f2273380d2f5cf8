"""Ledger (台账) exports too large for one request: job requests, the worker's build, the
sweep that recovers lost jobs and the clean-up of old files. See `models.exports`."""
