"""One module per ``prescreen`` sub-command; each defines ``register(subparsers)``."""
