"""Deal registrations (D1, D2, P3–P6), by flow: `rules` (pure), `records` (reads, claims, history),
`submit` (register, review, resubmit, withdraw, deny), `approve` (approve and convert, team
placement, dissolve, extend), `expire` (expiry, unanswered returns, lost opportunities, denied
partners), `reminders` (the review reminder job), `subscribers` (opportunities' and the program's
events), `scoping`, `tables`, `enums`."""
