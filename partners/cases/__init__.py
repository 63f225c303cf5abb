"""The SMB team's "Partner Opp" case queue (D9): a partner user opens a case, an SMB
advocate (role SMB_ADVOCATE) picks it up within 24 hours, holding at most 50 in
progress, comments (public or internal) and closes it with a resolution within 15 days.

Modules: `tables` (Piccolo), `service` (rules and writes), `scoping` (who reads what).
"""
