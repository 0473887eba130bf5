"""Shared test helpers (real registry process, fault-injecting proxy, test images).

Imported as ``support.*``: a conftest puts the ``tests`` folder on ``sys.path``, since pytest
runs with ``--import-mode=importlib`` and ``tests`` itself is not a package.
"""
