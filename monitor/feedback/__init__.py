"""The resident feedback collector: an HTTP API, a no-JavaScript form and an embeddable widget.

``create_app(settings, config)`` builds the ASGI app; ``start_collector_in_thread`` runs it
in the background (tests, the demo); ``monitor feedback serve`` runs it in the foreground.
"""

from __future__ import annotations

from monitor.feedback.app import create_app, start_collector_in_thread

__all__ = ["create_app", "start_collector_in_thread"]
