"""Sub-commands of `policytrack`, one module each; every module has ``register(subparsers)``.

Add a command by writing a module here and naming it in MODULES (kept in the order `--help` lists them).
"""
MODULES = [
    "summary",
    "record",
    "screenshot",
    "check",
    "backup",
    "restore",
    "import_xlsx",
    "export_xlsx",
    "exchange",
    "report",
    "reporting",
    "identity",
    "units",
    "year",
    "init",
    "problem",
    "photo",
    "dispatch",
    "review",
]
