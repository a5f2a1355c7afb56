"""`python -m archlaw ...` runs the `archlaw` command (as `torchrun -m archlaw` needs)."""

import sys

from archlaw.cli import main

if __name__ == "__main__":
    sys.exit(main())
