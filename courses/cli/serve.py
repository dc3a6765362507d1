"""`courses serve`: the HTTP service and, where it sends mail itself, the mail worker."""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from dataclasses import replace

from courses.cli.mail import mail_destination, run_mail
from courses.metrics import Metrics
from courses.settings import Settings
from courses.supervise import ChildProcess, child_environment, courses_command

__all__ = ["serve", "serve_settings"]

_WORKER_MODES = {
    "inline": "skickas av tjänsten själv",
    "process": "skickas av en egen process (courses worker)",
    "off": "skickas inte av tjänsten: kör courses worker",
}


def serve_settings(
    settings: Settings, *, host: str, port: int, environ: Mapping[str, str]
) -> Settings:
    """Without COURSES_BASE_URL, links point where the service really listens."""
    if environ.get("COURSES_BASE_URL", "").strip():
        return settings
    return replace(settings, base_url=f"http://{_shown(host)}:{port}")


def _shown(host: str) -> str:
    """Where a browser on this machine reaches a service listening on every address."""
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only a name here


def serve(settings: Settings, *, host: str, port: int, mail_worker: str) -> int:
    """Serve until stopped; the database is already migrated (the caller reports an
    unreachable one readably)."""
    import uvicorn

    from courses.api import create_app

    if mail_worker == "auto":
        # SQLite has one writer at a time, queued fairly only within one process; PostgreSQL
        # lets the worker use another core without slowing registrations down.
        postgres = settings.async_database_url.startswith("postgresql")
        mail_worker = "process" if postgres else "inline"
    address = f"http://{_shown(host)}:{port}"
    print(
        f"Tjänsten startar: öppna {address}/ i webbläsaren för kurserna "
        f"(API: {address}/api/courses, dokumentation: {address}/api/docs)"
    )
    print(f"E-post: {mail_destination(settings)}, {_WORKER_MODES[mail_worker]}")
    metrics = Metrics()
    background = [run_mail(metrics=metrics)] if mail_worker == "inline" else []
    app = create_app(settings, migrate=False, background=background, metrics=metrics)
    child = None
    if mail_worker == "process":
        child = ChildProcess(
            # Its poll is a safety net: the database wakes it (PostgreSQL's NOTIFY).
            courses_command("worker", "--parent", str(os.getpid())),
            env=child_environment({"COURSES_BASE_URL": settings.base_url}),
            name="the mail worker process",
        )
        child.start()
    # Everything start-up made (modules, the app, its routes and templates) lives as long as
    # the process: frozen out of the collector's way, so that a full collection under load
    # walks only what requests made, not every object of the stack.
    gc.collect()
    gc.freeze()
    try:
        # log_config=None: uvicorn's loggers, the access log too, go through courses.logs.
        # proxy_headers=False: uvicorn would believe X-Forwarded-For from 127.0.0.1; the app
        # believes it only from COURSES_TRUSTED_PROXIES (courses.api.http.proxies).
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            log_config=None,
            server_header=False,
            proxy_headers=False,
        )
    finally:
        if child is not None:
            child.stop()
    return 0
