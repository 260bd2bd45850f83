"""`python -m desktop` is the `policytrack` command."""
from desktop.cli import main

main()
