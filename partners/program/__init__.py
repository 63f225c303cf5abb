"""The partner program: onboarding, status and track (P1), eligibility (P2) and a partner's
people (partner admins, invitations). Modules: tables, eligibility, lifecycle, people."""
