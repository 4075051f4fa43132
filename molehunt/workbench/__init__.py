"""The analyst's workbench as a library: accounts, sessions, the alert queue, people, cases, sources, rules, and
who may see a revealed name (identities).

The web app (molehunt.web) is a thin layer over it: queries are functions that take an open Store (the analytics
store: scores, events, directory) or a connection to the operational store (HOME/workbench.sqlite: accounts,
sessions, reveals, dismissals, cases; open it with ops.connect) and plain values; actions that must be provable later
go through `Workbench(home, store)` (actions.py), which appends the audit entry before it changes anything, as the
vault does.
"""
