"""The local demo council site ("Example County Council") and its defect manifest.

``DemoSite`` serves the council's services on 127.0.0.1 with deliberate, documented
defects; ``load_manifest()`` lists every page and defect so tests can check that the
monitor finds exactly those.
"""

from demo.manifest import Manifest, load_manifest
from demo.pages import BRAND
from demo.site import DemoSite, PortInUseError

__all__ = ["BRAND", "DemoSite", "Manifest", "PortInUseError", "load_manifest"]
