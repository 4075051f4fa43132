"""Benign activity, one module per source, generated one simulated day at a time for all users at once.

Each generator takes the `World` (config, org, habits, documents, address book) and the day's sessions
and returns an EventBatch; no per-event Python loops.
"""
