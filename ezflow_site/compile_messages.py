"""Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib, so no GNU gettext is needed.

    python -m ezflow_site.compile_messages           # check every catalogue, then write the .mo files
    python -m ezflow_site.compile_messages --check   # write nothing; fail if a .mo is missing or stale

A catalogue is refused (exit status 1, nothing written) while any entry is untranslated or fuzzy,
while a translation drops or invents a %(name)s placeholder (that would raise at run time), or
while its plural forms do not match its Plural-Forms header. Django itself is not imported.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

# A python-format conversion: %(name)s, %(count)d, %(value).2f; "%%" is a literal percent sign.
_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>[diouxXeEfFgGcrsa%])")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


def placeholders(text: str) -> set[str]:
    """The python-format placeholders in text, e.g. {"%(email)s", "%(count)d"}."""
    return {match.group(0) for match in _PLACEHOLDER.finditer(text) if match.group("kind") != "%"}


def translations(entry: polib.POEntry | polib.MOEntry) -> list[str]:
    """The msgstr, or every msgstr[n] in order for a plural entry."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural, key=int)]
    return [entry.msgstr]


def _label(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    text = entry.msgid if len(entry.msgid) <= 70 else entry.msgid[:67] + "..."
    return f"{context}{text!r}"


def catalogue_problems(po: polib.POFile) -> list[str]:
    """Everything that stops this catalogue from being compiled, one line each."""
    problems = []
    if "fuzzy" in (po.metadata_is_fuzzy or []):
        problems.append("the header is marked fuzzy: check its Language and Plural-Forms, then remove the fuzzy flag")
    found = _NPLURALS.search(po.metadata.get("Plural-Forms", ""))
    nplurals = int(found.group(1)) if found else None
    for entry in po:
        if entry.obsolete:
            continue
        label = _label(entry)
        if entry.fuzzy:
            problems.append(f"fuzzy: {label}")
            continue
        if not entry.translated():
            problems.append(f"untranslated: {label}")
            continue
        if entry.msgid_plural:
            if nplurals is None:
                problems.append(f"plural entry but the header has no Plural-Forms: {label}")
            elif sorted(entry.msgstr_plural) != list(range(nplurals)):
                problems.append(f"needs exactly {nplurals} plural form(s) (msgstr[0..{nplurals - 1}]): {label}")
        if "python-format" in entry.flags:
            problems.extend(f"{problem}: {label}" for problem in _placeholder_problems(entry, nplurals))
    return problems


def _placeholder_problems(entry: polib.POEntry, nplurals: int | None) -> list[str]:
    wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    forms = translations(entry)
    problems = []
    for form in forms:
        unknown = placeholders(form) - wanted
        if unknown:
            problems.append(f"translation uses {', '.join(sorted(unknown))}, which the original does not have")
    # With one plural form (Korean) that form stands for every count, so it needs every placeholder.
    needed_in_each = len(forms) == 1 or nplurals == 1
    present = [placeholders(form) for form in forms]
    lost = set().union(*(wanted - got for got in present)) if needed_in_each else wanted - set().union(*present)
    if lost:
        problems.append(f"translation drops {', '.join(sorted(lost))}")
    return problems


def compiled_map(catalogue: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str, str | None], tuple[str, ...]]:
    """(msgctxt, msgid, msgid_plural) -> translations, for the entries a .mo carries (the header aside)."""
    result = {}
    for entry in catalogue:
        if not entry.msgid or entry.obsolete or (isinstance(entry, polib.POEntry) and not entry.translated()):
            continue
        result[(entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)] = tuple(translations(entry))
    return result


def po_files(locale_dir: Path) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ezflow_site.compile_messages", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a .mo is missing or differs from its .po")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR, help=f"default: {LOCALE_DIR}")
    args = parser.parse_args(argv)

    paths = po_files(args.locale_dir)
    if not paths:
        print(f"compile_messages: no .po files under {args.locale_dir}/*/LC_MESSAGES/", file=sys.stderr)
        return 1
    catalogues = {path: polib.pofile(str(path)) for path in paths}

    refused = {path: problems for path, po in catalogues.items() if (problems := catalogue_problems(po))}
    if refused:
        for path, problems in refused.items():
            print(f"compile_messages: refusing {_shown(path)}: {len(problems)} problem(s)", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        print("Translate these entries (and remove any '#, fuzzy' line once the translation is right), then run again.", file=sys.stderr)
        return 1

    stale = []
    for path, po in catalogues.items():
        mo_path = path.with_suffix(".mo")
        if args.check:
            if not mo_path.exists() or compiled_map(polib.mofile(str(mo_path))) != compiled_map(po):
                stale.append(mo_path)
            continue
        # Like msgfmt, leave out the extraction date so the .mo changes only when a translation does.
        po.metadata.pop("POT-Creation-Date", None)
        binary = po.to_binary()
        if mo_path.exists() and mo_path.read_bytes() == binary:
            print(f"up to date: {_shown(mo_path)} ({len(po.translated_entries())} messages)")
            continue
        mo_path.write_bytes(binary)
        print(f"compiled: {_shown(mo_path)} ({len(po.translated_entries())} messages)")
    if stale:
        for mo_path in stale:
            print(f"compile_messages: {_shown(mo_path)} is missing or older than its .po", file=sys.stderr)
        print("Run `python -m ezflow_site.compile_messages` and commit the .mo.", file=sys.stderr)
        return 1
    if args.check:
        print(f"all {len(catalogues)} catalogue(s) are translated and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
