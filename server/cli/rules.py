"""`cosell rules export|show`: the rules catalogue (partners/catalogue/)."""

from __future__ import annotations

import sys

from partners.catalogue import RULES
from partners.catalogue.document import cited_in, markdown
from partners.infra.settings import PROJECT_ROOT


def cmd_rules_export(args) -> int:
    """docs/rules.md as the catalogue and the checkout's citations make it (stdout)."""
    sys.stdout.write(markdown(RULES, cited_in(PROJECT_ROOT)))
    return 0


def cmd_rules_show(args) -> int:
    rule = RULES.get(args.id.strip().upper())
    if rule is None:
        print(f"cosell: no rule {args.id!r} (ids: A1–A10, O1–O11, R1–R9, D1–D15, P1–P11)", file=sys.stderr)
        return 1
    print(f"{rule.id} {rule.title} ({rule.group}{'' if rule.enforced else '; not enforced yet'})")
    print(rule.text)
    return 0
