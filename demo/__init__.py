"""Deterministic demo data: real hub and project names, fictional schools and people.

``seed(scale)`` fills an empty database (``small`` for trying the site, ``national`` for a
year at England's scale); ``logins.table()`` lists the demo accounts. The management commands
``seed_demo`` and ``demo_logins`` are thin wrappers around these.
"""
