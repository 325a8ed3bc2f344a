"""python -m lendrisk: the command-line interface."""

from lendrisk.cli import main

raise SystemExit(main())
