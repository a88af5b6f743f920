"""Operator CLI for reviewer API tokens, against the table TABLE_NAME names (and the usual AWS settings).

python -m infra.tokens create --org org_acme --name "ci pipeline"   # prints the token once
python -m infra.tokens list --org org_acme
python -m infra.tokens revoke --org org_acme --token-id <id>
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from shared import settings
from shared.domain.tokens import issue_token, revoke_token
from shared.errors import NotFoundError
from shared.store.tokens import TokenStore


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra.tokens", description="Manage reviewer API tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="mint a token for an organisation (shown once)")
    create.add_argument("--org", required=True, help="organisation id, e.g. org_acme")
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'ci pipeline'")
    listing = commands.add_parser("list", help="list an organisation's tokens (never the tokens themselves)")
    listing.add_argument("--org", required=True)
    revoke = commands.add_parser("revoke", help="revoke a token; it fails authorization from then on")
    revoke.add_argument("--org", required=True)
    revoke.add_argument("--token-id", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "create":
        issued = issue_token(arguments.org, arguments.name)
        print(f"Token {issued.stored.token_id} for {arguments.org} in table {settings.table_name()}:")
        print(issued.token)
        print("Store it now: only its hash is kept.", file=sys.stderr)
    elif arguments.command == "list":
        for token in TokenStore().list_for_org(arguments.org):
            state = f"revoked {token.revoked_at}" if token.revoked_at else "active"
            print(f"{token.token_id}  {token.created_at}  {state:<28}  {token.name}")
    else:
        try:
            revoked = revoke_token(arguments.org, arguments.token_id)
        except NotFoundError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 1
        print(f"Revoked {revoked.token_id} ({revoked.name}) at {revoked.revoked_at}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
