"""National reports: collation in the database, recurring themes, rendering and rebuilds.

``collation`` runs the fixed set of aggregate queries for one report, ``themes`` finds what
recurs in the groups' evidence, ``services`` requests and builds report versions (statuses,
progress, the one current version), ``render`` turns the stored figures into HTML, CSV and PDF.
"""
