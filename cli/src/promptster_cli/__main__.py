"""``python -m promptster_cli``: the same as ``promptster``."""

from promptster_cli.main import main

raise SystemExit(main())
