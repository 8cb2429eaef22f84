"""`archive-qa serve`: the web app (ui/page.py) on 127.0.0.1:7860; another address needs a password or --insecure."""

from __future__ import annotations

import argparse
import importlib
import ipaddress
import sys
import threading
import time
from typing import Any

from archive_qa.options import store_options
from archive_qa.settings import Settings

REFUSAL_EXIT = 2


def register(sub: Any, commands: dict[str, Any]) -> None:
    from qa.registry import answerer_names

    serve = sub.add_parser("serve", help="serve the chat web app (default http://127.0.0.1:7860)")
    store_options(serve)
    serve.add_argument("--host", help="address to bind (env ARCHIVE_QA_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env ARCHIVE_QA_PORT, default 7860)")
    serve.add_argument("--answerer", choices=answerer_names(), help="default answerer in the UI")
    serve.add_argument(
        "--insecure",
        action="store_true",
        help="allow serving on a non-loopback address without ARCHIVE_QA_AUTH (anyone who can reach it may use it)",
    )
    serve.add_argument(
        "--allow-empty",
        action="store_true",
        help="start even when the store holds no articles (to fill it through the Index tab's uploads)",
    )
    commands["serve"] = cmd_serve


def is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`user:password` -> (user, password); ValueError for anything else (an empty side included)."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("ARCHIVE_QA_AUTH must look like user:password (both non-empty)")
    return user, password


def exposure(host: str, auth: str | None, insecure: bool) -> tuple[bool, str]:
    """Whether serving on `host` is allowed, and the message to print at start (or the refusal)."""
    if is_loopback(host):
        return True, "local only (loopback address); " + ("password required" if parse_auth(auth) else "no password")
    if parse_auth(auth):
        return True, f"exposed on {host}; password required (ARCHIVE_QA_AUTH)"
    if insecure:
        return True, f"WARNING: exposed on {host} WITHOUT a password (--insecure): anyone who can reach it may use it"
    return False, (
        f"refusing to serve on {host} without a password: anyone on the network could use the app. "
        "Set ARCHIVE_QA_AUTH=user:password, or pass --insecure to serve without one, "
        "or use --host 127.0.0.1 (the default)."
    )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    overrides = {"host": args.host, "port": args.port, "answerer": args.answerer}
    settings = settings.model_copy(update={key: value for key, value in overrides.items() if value is not None})
    try:
        auth = parse_auth(settings.auth)
    except ValueError as exc:
        print(f"archive-qa serve: error: {exc}", file=sys.stderr)
        return REFUSAL_EXIT
    allowed, message = exposure(settings.host, settings.auth, args.insecure)
    if not allowed:
        print(f"archive-qa serve: error: {message}", file=sys.stderr)
        return REFUSAL_EXIT
    if not args.allow_empty:  # before anything opens the store, which would create it empty
        from archive_qa.archive_check import SERVE_EMPTY, require_archive

        require_archive(settings, SERVE_EMPTY)

    # Gradio and the models load here, not for `archive-qa --help`; gradio's import (the longest part of the
    # start) runs in a thread while the embedder and the store load.
    importer = threading.Thread(target=importlib.import_module, args=("gradio",), daemon=True)
    importer.start()
    from qa.pipeline import ArchiveQA
    from storage.lock import keep_open

    if not settings.chroma_url:
        keep_open(settings.store)  # before opening it: refuses while another process writes (see storage/lock.py)
    qa = ArchiveQA.from_settings(settings)
    importer.join()
    import gradio as gr

    from ui.assets import CSS, HEAD, MONO_FONTS, SYSTEM_FONTS
    from ui.page import create

    demo, _ = create(settings, qa)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth,
        share=False,
        ssr_mode=False,
        show_error=True,
        quiet=True,
        prevent_thread_lock=True,
        max_file_size=f"{settings.max_upload_mb:g}mb",
        theme=gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS),  # nothing fetched from font hosts
        css=CSS,
        head=HEAD,
        footer_links=["api"],
        run_history=False,
    )
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    elapsed = time.perf_counter() - started
    print(f"archive-qa serve: http://{host}:{settings.port} — {message}; ready in {elapsed:.1f} s", flush=True)
    demo.block_thread()
    return 0
