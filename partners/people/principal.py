"""Who is calling: the principal every scoping function looks at."""

from __future__ import annotations

from dataclasses import dataclass

from partners.people.enums import PARTNER_ROLES, Region, Role

STAFF_ROLES = frozenset(Role) - PARTNER_ROLES


@dataclass(frozen=True)
class Principal:
    """Who is calling: the one object every scoping function looks at."""

    user_id: int
    email: str
    name: str
    role: Role
    partner_id: int | None = None
    regions: tuple[Region, ...] = ()

    @property
    def is_partner_user(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
