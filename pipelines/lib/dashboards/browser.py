"""Headless Chromium for printing and tests: where it is, how it is started, and the network cut.

``playwright install`` cannot download browsers on an office network, so the system's Chromium is used
(``SOZIALMONITOR_CHROMIUM`` or the first of ``chromium``, ``chromium-browser``, ``google-chrome`` on the
``PATH``). Every request that is not a local file (or the local server given) is aborted and recorded.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field

CHROMIUM_ENV = "SOZIALMONITOR_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium executable to use, or None when there is none."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if os.path.exists(configured) else shutil.which(configured)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Offline:
    """Requests the network cut stopped, failed requests, and console errors seen by a browser context."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda m: self.errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(r.url))


@contextmanager
def offline_browser(executable: str | None = None, *, allow_prefix: str | None = None, **context_args):
    """``(context, Offline)`` of a headless Chromium that may load ``file://`` URLs only (and ``allow_prefix``)."""
    from playwright.sync_api import sync_playwright

    executable = executable or chromium_path()
    if executable is None:
        raise FileNotFoundError(
            "Kein Chromium gefunden. Installieren Sie Chromium (Debian/Ubuntu: apt install chromium) oder "
            f"nennen Sie das Programm in der Umgebungsvariablen {CHROMIUM_ENV}."
        )
    log = Offline()

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")) or (allow_prefix and url.startswith(allow_prefix)):
            return r.continue_()
        log.blocked.append(url)
        return r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(**context_args)
            context.route("**/*", route)
            yield context, log
        finally:
            browser.close()
