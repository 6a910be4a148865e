"""Name → class registries, so a new optimizer or activation is one class plus its test."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """A dict of named classes with aliases and an error that lists the choices."""

    def __init__(self, kind: str):
        self.kind = kind
        self._classes: dict[str, type[T]] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, *aliases: str):
        def decorate(cls: type[T]) -> type[T]:
            cls.name = name
            self._classes[name] = cls
            for alias in aliases:
                self._aliases[alias] = name
            return cls

        return decorate

    def canonical(self, name: str) -> str:
        name = self._aliases.get(name, name)
        if name not in self._classes:
            raise KeyError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}")
        return name

    def get(self, name: str) -> type[T]:
        return self._classes[self.canonical(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._classes or name in self._aliases)

    def names(self) -> list[str]:
        return list(self._classes)
