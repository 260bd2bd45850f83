"""`python -m desktop` is the `policytrack` command; the frozen bundle starts here too."""
from desktop.console import attach_parent_console

attach_parent_console()

from desktop.cli import main  # noqa: E402  (after the console is attached, so errors at import are seen)

main()
