"""Resident digital-experience monitor for a county council.

The core package: settings, the council's configuration, the data model and its
migrations, the repository (the one place that reads and writes the database), runs,
issues, measures and the ``monitor`` command line.
"""

__version__ = "0.1.0"
