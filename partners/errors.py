"""The domain's refusals under their stable import path for plugins (docs/plugins.md).

They live in `partners.infra.errors`; nothing inside partners/ imports this module.
"""

from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation, field_path, require_roles

__all__ = ["DomainError", "NotFound", "PermissionDenied", "Violation", "field_path", "require_roles"]
