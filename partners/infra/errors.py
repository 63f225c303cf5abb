"""Expected refusals of the domain, carried to the API as typed `UserError`s."""

from __future__ import annotations

from dataclasses import dataclass, field


def field_path(field: tuple[str, ...] | str) -> tuple[str, ...]:
    """The path of an input field as a tuple: `"contacts.1.contactId"` → ("contacts", "1", "contactId")."""
    if isinstance(field, str):
        return tuple(field.split(".")) if field else ()
    return tuple(field)


@dataclass(frozen=True)
class Violation:
    """One refused piece of input: a code, a message, the input field and the DOMAIN.md rule."""

    code: str
    message: str
    field: tuple[str, ...] = ()
    rule: str | None = None


@dataclass
class DomainError(Exception):
    """Raised inside a transaction so that nothing is written; never a 500."""

    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(v.message for v in self.violations))

    @classmethod
    def single(cls, code: str, message: str, field: tuple[str, ...] | str = (), rule: str | None = None) -> "DomainError":
        return cls([Violation(code=code, message=message, field=field_path(field), rule=rule)])


class NotFound(DomainError):
    """The record does not exist or the caller may not see it (never tell which)."""

    @classmethod
    def of(cls, what: str, field: str | tuple[str, ...] = "id") -> "NotFound":
        return cls([Violation(code="NOT_FOUND", message=f"{what} not found.", field=field_path(field))])


class PermissionDenied(Exception):
    """The caller's role may not perform this operation at all (the API answers FORBIDDEN)."""


def require_roles(principal, *roles) -> None:
    if principal is None or principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise PermissionDenied(f"This needs one of the roles: {allowed}.")
