"""The `archlaw` command line: `main` and one module per subcommand (see `archlaw.cli.app`).

This is the only layer that imports both the engine (`archlaw.bridge`) and the families
(`archlaw.models`): `add` and `demo` run the carry family, `demo` the model registry.
"""

from archlaw.cli.app import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
