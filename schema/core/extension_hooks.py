"""Strawberry's schema extension hooks, wrapped once per extension class (issue 38 item 3).

For every request and every lifecycle step (operation, parsing, validation, execution)
Strawberry looks at each extension's hook (`inspect`) and wraps it in a new
`contextlib.contextmanager(types.MethodType(...))`, whose `functools.update_wrapper` copies
the function's attributes each time: a few microseconds per extension and step, about a
dozen times per request. Here the context manager factory is built once per extension
class and hook, and bound to the request's extension when the step starts. The hooks run
as before: the same ones, in the same order, entered and left by Strawberry's own
context managers (`ExtensionContextManagerBase.__aenter__`/`__aexit__`); a hook that is a
plain function (not a generator) takes Strawberry's own path.
"""

from __future__ import annotations

import contextlib
import functools
import inspect

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

_NONE = object()  # the class does not define this hook
_PLAIN = object()  # a plain function: Strawberry's own wrapping
_FACTORIES: dict[tuple[type, str], object] = {}


def _factory(cls: type, name: str):
    key = (cls, name)
    found = _FACTORIES.get(key)
    if found is None:
        hook = getattr(cls, name)
        if hook is getattr(SchemaExtension, name):
            found = _NONE
        elif inspect.isgeneratorfunction(hook):
            found = (contextlib.contextmanager(hook), False)
        elif inspect.isasyncgenfunction(hook):
            found = (contextlib.asynccontextmanager(hook), True)
        else:
            found = _PLAIN
        _FACTORIES[key] = found
    return found


class _CachedHooks:
    """Mixed into Strawberry's context managers: `get_hook` from the per-class cache."""

    __slots__ = ()

    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        found = _factory(type(extension), self.HOOK_NAME)
        if found is _NONE:
            return None
        if found is _PLAIN:
            return super().get_hook(extension)
        factory, is_async = found
        return WrappedHook(extension=extension, hook=functools.partial(factory, extension), is_async=is_async)


class _Operation(_CachedHooks, OperationContextManager):
    __slots__ = ()


class _Parsing(_CachedHooks, ParsingContextManager):
    __slots__ = ()


class _Validation(_CachedHooks, ValidationContextManager):
    __slots__ = ()


class _Executing(_CachedHooks, ExecutingContextManager):
    __slots__ = ()


class CachedHooksRunner(SchemaExtensionsRunner):
    """The schema's extensions runner (`CosellSchema.create_extensions_runner`)."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
