"""prescreen serve: the API and the reviewer pages on the embedded defaults."""

from __future__ import annotations

import argparse

from screening.errors import InvalidInput

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("serve", help="start the API and the reviewer pages")
    p.add_argument("--host", default=None, help="default 127.0.0.1 (PRESCREEN_HOST)")
    p.add_argument("--port", type=int, default=None, help="default 8000 (PRESCREEN_PORT)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes (each loads the models and runs PRESCREEN_JOB_THREADS job workers); "
                        "all state is in the database and the data directory")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from screening.resources import settle_loaded
    from screening.storage.service_lock import hold_service_lock

    from ..app import create_app

    settings = setup()
    # held while the service runs: `prescreen restore` refuses to replace what a service uses
    service_lock = hold_service_lock(settings.data_dir)  # noqa: F841 (kept open until return)
    host, port = args.host or settings.host, args.port or settings.port
    store = store_for(settings)
    # first start: one pipeline key, shown once, so the service is usable at once (one per
    # database, however many processes start together)
    bootstrap = store.create_bootstrap_key(actor="cli:serve")
    url = f"http://{host}:{port}"
    print(f"prescreen is starting on {url}  (API docs: {url}/docs, health: {url}/healthz)", flush=True)
    print(f"data directory: {settings.data_dir}   database: {settings.sqlalchemy_url.split('@')[-1]}", flush=True)
    if bootstrap:
        print(f"first start: an API key was created for you (shown once): {bootstrap}", flush=True)
    print("create more API keys with:  .venv/bin/prescreen keys create NAME", flush=True)
    print(f"reviewer pages: {url}/login   create an account with:  "
          ".venv/bin/prescreen users create NAME --role reviewer", flush=True)
    if args.workers < 1:
        raise InvalidInput("--workers must be at least 1", field="--workers")
    if args.workers == 1:
        app = create_app(settings, store=store)
        settle_loaded()  # the models are loaded: no full collection walks them again
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
    else:
        store.engine.dispose()  # each worker process opens its own connections
        # uvicorn's supervisor starts the processes and restarts one that dies
        uvicorn.run("api.app:app_from_environment", factory=True, workers=args.workers, host=host, port=port,
                    log_config=None, access_log=False)
    return 0
