"""prescreen serve: the API and the reviewer pages on the embedded defaults."""

from __future__ import annotations

import argparse

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("serve", help="start the API and the reviewer pages")
    p.add_argument("--host", default=None, help="default 127.0.0.1 (PRESCREEN_HOST)")
    p.add_argument("--port", type=int, default=None, help="default 8000 (PRESCREEN_PORT)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..app import create_app

    settings = setup()
    host, port = args.host or settings.host, args.port or settings.port
    store = store_for(settings)
    # first start: one pipeline key, shown once, so the service is usable at once (one per
    # database, however many processes start together)
    bootstrap = store.create_bootstrap_key(actor="cli:serve")
    app = create_app(settings, store=store)
    url = f"http://{host}:{port}"
    print(f"prescreen is starting on {url}  (API docs: {url}/docs, health: {url}/healthz)", flush=True)
    print(f"data directory: {settings.data_dir}   database: {settings.sqlalchemy_url.split('@')[-1]}", flush=True)
    if bootstrap:
        print(f"first start: an API key was created for you (shown once): {bootstrap}", flush=True)
    print("create more API keys with:  .venv/bin/prescreen keys create NAME", flush=True)
    print(f"reviewer pages: {url}/login   create an account with:  "
          ".venv/bin/prescreen users create NAME --role reviewer", flush=True)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
    return 0
