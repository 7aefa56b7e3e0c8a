"""``python -m demo [--host H] [--port P] [--feedback-url URL]``: serve the demo site."""

from __future__ import annotations

import argparse
import sys

from demo.site import DemoSite, PortInUseError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--supplier-port", type=int, default=None)
    parser.add_argument("--feedback-url", default=None)
    parser.add_argument("--slow-page-seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    site = DemoSite(
        host=args.host,
        port=args.port,
        supplier_port=args.supplier_port,
        feedback_url=args.feedback_url,
        slow_page_seconds=args.slow_page_seconds,
    )
    try:
        site.start()
    except PortInUseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Demo council site: {site.base_url}  supplier: {site.supplier_url}  (Ctrl-C stops)")
    site.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
