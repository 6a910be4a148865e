"""Name → class registries, so a new optimizer or activation is one class plus its test.

Every registered class describes itself (``Entry``): the name a file uses, the title
and formula the app shows, a help text, and its settings. The panels, the file checks,
the exports and the reports read these; none keeps a table of its own.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from nnplay.core.errors import ConfigError
from nnplay.core.settings import Setting

T = TypeVar("T")


class Entry:
    """What a registered concept declares once, on its class."""

    name = ""  #: the key in a network file; set by ``Registry.register``
    kind = ""  #: "optimizer", "activation", …; set by ``Registry.register``
    title = ""  #: the display name
    #: the formula as the app shows it: rich text (``<sub>``, ``<br>``), one or a few lines
    formula = ""
    help = ""  #: one or two sentences, the tooltip of its entry in a list
    details = ""  #: more from the chapters, appended to the help where there is room
    settings: tuple[Setting, ...] = ()
    #: SPEC's value of each setting, by name (derived from ``settings``)
    defaults: dict[str, Any] = {}
    #: the other spellings of a setting a file may use, mapped to its name (derived)
    aliases: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.defaults = {s.name: s.default for s in cls.settings}
        cls.aliases = {alias: s.name for s in cls.settings for alias in s.aliases}

    @classmethod
    def setting(cls, name: str) -> Setting:
        """The setting called ``name`` or one of its aliases."""
        name = cls.aliases.get(name, name)
        for spec in cls.settings:
            if spec.name == name:
                return spec
        raise cls.no_such_setting(name)

    @classmethod
    def no_such_setting(cls, key: str) -> ConfigError:
        known = ", ".join(list(cls.defaults) + list(cls.aliases))
        return ConfigError(f"{cls.kind} {cls.name!r} has no setting {key!r}"
                           + (f"; its settings are {known}" if known else ""))

    @classmethod
    def resolve(cls, given: dict[str, Any] | None) -> dict[str, Any]:
        """``given`` settings with aliases resolved and the defaults filled in."""
        resolved = {}
        for key, value in (given or {}).items():
            resolved[cls.setting(key).name] = value
        return {**cls.defaults, **resolved}


class Registry(Generic[T]):
    """A dict of named classes with aliases and an error that lists the choices."""

    def __init__(self, kind: str):
        self.kind = kind
        self._classes: dict[str, type[T]] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, *aliases: str):
        def decorate(cls: type[T]) -> type[T]:
            cls.name = name
            cls.kind = self.kind
            self._classes[name] = cls
            for alias in aliases:
                self._aliases[alias] = name
            return cls

        return decorate

    def canonical(self, name: str) -> str:
        name = self._aliases.get(name, name) if isinstance(name, str) else name
        if not isinstance(name, str) or name not in self._classes:
            raise ConfigError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}")
        return name

    def get(self, name: str) -> type[T]:
        return self._classes[self.canonical(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._classes or name in self._aliases)

    def names(self) -> list[str]:
        return list(self._classes)

    def entries(self) -> list[type[T]]:
        return list(self._classes.values())
