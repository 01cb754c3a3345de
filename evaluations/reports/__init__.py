"""National reports: collation in the database, recurring themes, rendering, PDFs and reach.

``collation`` runs the fixed set of aggregate queries for one report (its parts:
``participation``, ``engagement``, ``outcomes``, ``themes``; what each figure means is in
``definitions``). ``services`` requests and builds report versions (statuses, progress, the one
current version, a new version only when the figures' fingerprint changed); ``documents`` builds
and stores each version's PDFs; ``editions`` decides what hub staff see of a national report;
``render`` turns the stored figures into HTML, CSV and PDF. ``reach`` counts the share of each
area's schools engaged across projects, and ``hubs`` puts a hub's projects side by side.
"""
