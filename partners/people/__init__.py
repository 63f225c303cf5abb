"""Partner organisations and their people: partners, users, roles, regions, API tokens, the
`Principal` every scoping function looks at, and P1 standing (a DENIED partner's people may not
act). The lowest domain: every other one may import it."""
