"""A signed identity token for one demo account, as a host page vouches for its signed-in user.

    python -m tools.demo_identity LegacyDev

Signed with IDENTITY_SECRET (scripts/env.sh makes one per checkout) for the longest lifetime
the backend accepts (IDENTITY_MAX_LIFETIME_SECONDS). Only the demo accounts of
account_backend/seed.py are offered: this is for `make chat SIGN_IN=...` on the embedded default.
Prints the token, and on stderr whom it signs in and for how long; an unknown name or a
missing secret exits with 2 and says why.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence

from account_backend import identity
from account_backend.seed import ACCOUNTS


def demo_usernames() -> List[str]:
    """The demo accounts a person can sign in as (an organization has no sign-in)."""
    return sorted(name for name, demo in ACCOUNTS.items() if not demo.is_organization)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    secret = os.environ.get("IDENTITY_SECRET", "")
    if len(args) != 1 or args[0] not in demo_usernames():
        names = ", ".join(demo_usernames())
        print(f"demo_identity: name one demo account: {names}", file=sys.stderr)
        return 2
    if not secret:
        print("demo_identity: IDENTITY_SECRET is not set (source scripts/env.sh)", file=sys.stderr)
        return 2
    lifetime = identity.max_lifetime()
    print(identity.sign(args[0], secret, ttl_seconds=lifetime))
    # for the person at the terminal: stdout is the token a script captures
    print(f"Signed in as {args[0]} for {lifetime // 60} minutes.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
