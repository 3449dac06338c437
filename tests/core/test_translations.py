"""The Korean catalogue is complete, compiled and used (see docs/i18n.md).

When one of these fails after you add or change a user-facing string: run `make messages`,
translate the new entries in locale/ko/LC_MESSAGES/django.po, run `make messages` again and
commit both the .po and the .mo.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from ezflow_site import compile_messages
from ezflow_site.compile_messages import compiled_map, placeholders, translations

ROOT = Path(__file__).resolve().parents[2]
KO_PO = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
KO_MO = KO_PO.with_suffix(".mo")
HEADLINE = "Automate your office work without writing code"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# The same command as `make messages` and docs/i18n.md.
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "ko",
    "--no-obsolete",
    "--no-location",
    "-i",
    ".venv/*",
    "-i",
    "node_modules/*",
    "-i",
    "tests/*",
    "-i",
    "bench/*",
]
# What the copy for makemessages leaves out: never scanned, or too big to copy.
NOT_SOURCES = {".git", ".venv", ".data", "node_modules", "tests", "bench", "staticfiles", "locale", "__pycache__", ".ruff_cache"}
NOT_SOURCES |= {".pytest_cache", "test-artifacts"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the "django" domain


def key(entry) -> tuple:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)


def describe(keys) -> str:
    if not keys:
        return "  (none)"
    return "\n".join(f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid, _plural in sorted(keys, key=str))


@pytest.fixture(scope="module")
def ko_po() -> polib.POFile:
    assert KO_PO.exists(), f"{KO_PO.relative_to(ROOT)} is missing: run `make messages`"
    return polib.pofile(str(KO_PO))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def korean(po: polib.POFile, msgid: str) -> str:
    entry = po.find(msgid)
    assert entry is not None and entry.msgstr, f"{msgid!r} has no Korean translation"
    return entry.msgstr


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.deactivate()


# ---- the catalogue ----------------------------------------------------------------------------


def test_korean_catalogue_declares_korean_with_one_plural_form(ko_po):
    assert ko_po.metadata.get("Language") == "ko"
    assert ko_po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "fuzzy" not in (ko_po.metadata_is_fuzzy or [])
    assert len(entries(ko_po)) > 100  # the whole product, not a stub


def test_every_korean_entry_is_translated_and_none_is_fuzzy(ko_po):
    fuzzy = [entry.msgid for entry in entries(ko_po) if entry.fuzzy]
    untranslated = [entry.msgid for entry in entries(ko_po) if not entry.fuzzy and not entry.translated()]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the '#, fuzzy' line):\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_every_plural_entry_has_exactly_the_one_korean_form(ko_po):
    wrong = [entry.msgid for entry in entries(ko_po) if entry.msgid_plural and sorted(entry.msgstr_plural) != [0]]
    assert not wrong, "Korean plural entries need exactly msgstr[0]:\n" + "\n".join(wrong)


def test_translations_keep_every_placeholder_and_invent_none(ko_po):
    problems = []
    for entry in entries(ko_po):
        if "python-format" not in entry.flags:
            continue
        original = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for text in translations(entry):
            if placeholders(text) != original:
                problems.append(f"{entry.msgid!r}: {sorted(original)} became {sorted(placeholders(text))} in {text!r}")
    assert not problems, "placeholders differ between original and translation:\n" + "\n".join(problems)


def test_the_placeholder_check_sees_named_and_numeric_placeholders():
    assert placeholders("Invitation sent to %(email)s.") == {"%(email)s"}
    assert placeholders("%(count)d organization(s) at 100%% of %(share).1f") == {"%(count)d", "%(share).1f"}


def test_blocktranslate_strings_translate_their_variables(ko_po):
    # {% blocktranslate with name=... %}{{ name }}{% endblocktranslate %} is extracted as %(name)s
    assert "%(name)s" in korean(ko_po, "Welcome to %(name)s")


def test_role_names_are_translated_consistently(ko_po):
    roles = {"Owner": "소유자", "Admin": "관리자", "Editor": "편집자", "Viewer": "뷰어"}
    assert {msgid: korean(ko_po, msgid) for msgid in roles} == roles
    listed = korean(ko_po, "Choose one of the roles: owner, admin, editor, viewer.")
    assert all(name in listed for name in roles.values())


def test_compiled_catalogue_is_up_to_date_with_the_po(ko_po):
    assert KO_MO.exists(), "locale/ko/LC_MESSAGES/django.mo is missing: run `python -m ezflow_site.compile_messages`"
    compiled = compiled_map(polib.mofile(str(KO_MO)))
    source = compiled_map(ko_po)
    changed = {k for k in source.keys() & compiled.keys() if source[k] != compiled[k]}
    assert compiled == source, (
        "the .mo differs from the .po: run `python -m ezflow_site.compile_messages` and commit the .mo\n"
        f"only in the .po:\n{describe(source.keys() - compiled.keys())}\n"
        f"only in the .mo:\n{describe(compiled.keys() - source.keys())}\n"
        f"translated differently:\n{describe(changed)}"
    )
    header = gettext.GNUTranslations(KO_MO.open("rb")).info()
    assert header.get("plural-forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_django_loads_the_korean_catalogue(ko_po):
    with translation.override("ko"):
        assert translation.gettext("Sign in") == "로그인"
        waiting = translation.ngettext("%(counter)s invitation waiting", "%(counter)s invitations waiting", 5)
        assert waiting == korean_plural(ko_po, "%(counter)s invitation waiting")


def korean_plural(po: polib.POFile, msgid: str) -> str:
    return po.find(msgid).msgstr_plural[0]


# ---- the catalogue against the sources ---------------------------------------------------------


def _copy_sources(destination: Path) -> None:
    def ignore(folder, names):
        return [
            name for name in names if name in NOT_SOURCES or (Path(folder, name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        ]

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    """A fresh catalogue that makemessages builds from a copy of today's sources (the real one is not touched)."""
    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib") if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing_tools)} missing); CI installs it: apt-get install gettext")
    copy = tmp_path_factory.mktemp("sources") / "project"
    _copy_sources(copy)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ezflow_site.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return polib.pofile(str(copy / "locale" / "ko" / "LC_MESSAGES" / "django.po"))


def test_every_translatable_string_in_the_sources_is_in_the_catalogue(extracted, ko_po):
    found = {key(entry) for entry in entries(extracted)}
    assert len(found) > 100, "makemessages found almost nothing: is the copy of the sources complete?"
    missing = found - {key(entry) for entry in entries(ko_po)}
    assert not missing, f"strings in the code that the Korean catalogue lacks (run `make messages`, translate):\n{describe(missing)}"


def test_the_catalogue_has_no_strings_the_sources_no_longer_use(extracted, ko_po):
    stale = {key(entry) for entry in entries(ko_po)} - {key(entry) for entry in entries(extracted)}
    assert not stale, f"entries no longer in the code (run `make messages` to drop them):\n{describe(stale)}"


def test_no_javascript_needs_a_djangojs_catalogue():
    """There is no JavaScript i18n yet; the day a script calls gettext(), it needs the djangojs domain too."""
    calls = re.compile(r"\b(?:n|p|np)?gettext\s*\(|\binterpolate\s*\(")
    scripts = [*ROOT.glob("static/**/*.js"), *ROOT.glob("apps/*/static/**/*.js"), *ROOT.glob("templates/**/*.html")]
    # Third-party code and the editor's build output (it carries its own ko/en dictionary, see docs/editor.md) don't use Django's.
    bundled = (ROOT / "static" / "vendor", ROOT / "static" / "editor")
    scripts = [path for path in scripts if not any(path.is_relative_to(folder) for folder in bundled)]
    users = [str(path.relative_to(ROOT)) for path in scripts if calls.search(path.read_text(encoding="utf-8", errors="replace"))]
    if users:
        assert (ROOT / "locale" / "ko" / "LC_MESSAGES" / "djangojs.po").exists(), (
            f"{users} translate in JavaScript: add `-d djangojs` to `make messages`, translate, and serve JavaScriptCatalog"
        )


# ---- the compile script ------------------------------------------------------------------------

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ko\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
)


def write_catalogue(locale_dir: Path, body: str) -> Path:
    po = locale_dir / "ko" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(HEADER + body, encoding="utf-8")
    return po


@pytest.mark.parametrize(
    "body",
    [
        'msgid "Sign in"\nmsgstr ""\n',
        '#, fuzzy\nmsgid "Sign in"\nmsgstr "로그인"\n',
        '#, python-format\nmsgid "Invitation sent to %(email)s."\nmsgstr "초대를 보냈습니다."\n',
        '#, python-format\nmsgid "Hi %(name)s"\nmsgstr "%(nmae)s 님 안녕하세요"\n',
        '#, python-format\nmsgid "%(n)d item"\nmsgid_plural "%(n)d items"\nmsgstr[0] ""\n',
    ],
    ids=["untranslated", "fuzzy", "dropped-placeholder", "misspelt-placeholder", "untranslated-plural"],
)
def test_compile_messages_refuses_an_incomplete_catalogue(tmp_path, capsys, body):
    po = write_catalogue(tmp_path, 'msgid "Sign out"\nmsgstr "로그아웃"\n\n' + body)
    assert compile_messages.main(["--locale-dir", str(tmp_path)]) != 0
    assert "refusing" in capsys.readouterr().err
    assert not po.with_suffix(".mo").exists()


def test_compile_messages_writes_a_mo_that_gettext_reads_and_check_notices_changes(tmp_path):
    po = write_catalogue(
        tmp_path,
        'msgid "Sign in"\nmsgstr "로그인"\n\n'
        '#, python-format\nmsgid "%(counter)s invitation waiting"\nmsgid_plural "%(counter)s invitations waiting"\n'
        'msgstr[0] "대기 중인 초대 %(counter)s건"\n',
    )
    assert compile_messages.main(["--locale-dir", str(tmp_path), "--check"]) == 1  # no .mo yet
    assert compile_messages.main(["--locale-dir", str(tmp_path)]) == 0
    catalogue = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    assert catalogue.gettext("Sign in") == "로그인"
    assert catalogue.ngettext("%(counter)s invitation waiting", "%(counter)s invitations waiting", 3) == "대기 중인 초대 %(counter)s건"
    assert compile_messages.main(["--locale-dir", str(tmp_path), "--check"]) == 0
    po.write_text(po.read_text(encoding="utf-8").replace("로그인", "로그인하기"), encoding="utf-8")
    assert compile_messages.main(["--locale-dir", str(tmp_path), "--check"]) == 1


def test_the_committed_catalogues_pass_the_compile_check():
    assert compile_messages.main(["--check"]) == 0


# ---- pages ------------------------------------------------------------------------------------


def test_landing_page_follows_accept_language(db, ko_po):
    client = Client(HTTP_HOST="localhost")
    korean_page = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    english_page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="ko">' in korean_page
    assert HANGUL.search(korean(ko_po, HEADLINE))
    assert korean(ko_po, HEADLINE) in korean_page
    assert HEADLINE not in korean_page
    assert korean(ko_po, "Start free") in korean_page
    # The public landing page leads to the marketplace (hero and header), in the reader's language.
    assert korean(ko_po, "Browse templates") in korean_page and 'href="/marketplace/" data-testid="cta-marketplace"' in korean_page
    assert 'data-testid="nav-marketplace"' in english_page and "Browse templates" in english_page

    assert '<html lang="en">' in english_page
    assert HEADLINE in english_page
    assert korean(ko_po, HEADLINE) not in english_page


def test_language_switch_sticks_for_a_signed_in_member(data, ko_po):
    organization = data.create_organization(name="Hanbit Trading")
    owner = data.owner_of(organization)
    client = data.client_for(organization, owner)
    assert '<html lang="en">' in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"

    # later pages, with no Accept-Language header at all
    dashboard = client.get("/").content.decode()
    assert '<html lang="ko">' in dashboard
    assert korean(ko_po, "Welcome to %(name)s") % {"name": "Hanbit Trading"} in dashboard
    assert korean(ko_po, "Sign out") in dashboard
    members = client.get("/members/").content.decode()
    assert '<html lang="ko">' in members and korean(ko_po, "Invite someone") in members
    owner.refresh_from_db()
    assert owner.language == "ko"

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    owner.refresh_from_db()
    assert owner.language == "en"
