"""Write a screenshot of every page of a built site, in light and in dark mode (issue #12).

    python scripts/screenshots.py SITE_DIR OUT_DIR [--width 1400] [--pages index.html,...]

Used by `make screenshots` (CI keeps OUT_DIR as an artifact) and by the README
images. The site is served on 127.0.0.1; the browser is Debian's chromium
(scripts/install-chromium), driven by Playwright.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve, site_pages  # noqa: E402

log = logging.getLogger("screenshots")


def main() -> int:
    """Write OUT_DIR/<light|dark>/<page>.png for every page; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--pages", default="", help="comma-separated pages (default: all)")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the top")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (args.site / "index.html").is_file():
        log.error("%s has no index.html: build the site first (make demo)", args.site)
        return 2
    from playwright.sync_api import sync_playwright

    pages = [p for p in args.pages.split(",") if p] or site_pages(args.site)
    written = 0
    with sync_playwright() as playwright, serve(args.site) as base:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": args.width, "height": args.height},
                                          color_scheme=scheme)
            for path in pages:
                page = context.new_page()
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = args.out / scheme / (path.removesuffix(".html") + ".png")
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target), full_page=args.full_page)
                page.close()
                written += 1
            context.close()
        browser.close()
    log.info("%d screenshots of %d pages in %s", written, len(pages), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
