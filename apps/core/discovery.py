"""Importing every module of a package, so that an app's step types, trigger kinds and credential kinds register
themselves (by decorators) from its AppConfig.ready() and a new kind is one new file, listed nowhere."""

from __future__ import annotations

import importlib
import pkgutil


def import_submodules(package_name: str) -> list[str]:
    """Imports `package_name` and every module below it, in name order; returns their names."""
    package = importlib.import_module(package_name)
    names = [package_name]
    for info in sorted(pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."), key=lambda i: i.name):
        importlib.import_module(info.name)
        names.append(info.name)
    return names
