"""polevents: a linked-open-data publisher for political events.

Pipeline stages, one module each: ``load`` → ``validate`` → ``export`` (and
``build``, which runs them and publishes atomically), then ``query``,
``serve``, ``link``, ``publish``.  The command line (``polevents.cli``) is a
thin layer over these.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
