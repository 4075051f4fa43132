"""The analyst's workbench as a library: accounts, sessions, the alert queue, people, cases, and the audit trail.

The web app (molehunt.web) is a thin layer over these functions; each takes an open Store and plain values.
"""
