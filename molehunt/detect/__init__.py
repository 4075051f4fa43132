"""Detection: scenario rules as data (rules/), anomaly scorers (anomaly/) and their combination."""
