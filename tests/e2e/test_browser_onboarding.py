"""Onboarding in a real browser: sign-up, invitations, errors, Korean and phone layout.

Chromium (Playwright, sync API) talks to the real stack (daphne + Celery worker, fresh database);
every organization lives on its own host http://<slug>.localhost:<port>/.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.browser import Account, link_in_mail, no_horizontal_scroll, sign_in_with_link, signup_in_browser, unique
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def new_account(stem: str) -> Account:
    slug = unique(stem)
    return Account(organization=f"{stem.title()} Trading {slug[-8:]}", slug=slug, email=f"owner@{slug}.example", password=PASSWORD)


def api_signup(stack, stem: str) -> tuple[Account, str]:
    """A ready organization created over the API (for tests whose subject is not the sign-up form)."""
    account = new_account(stem)
    created = signup(stack, account.slug, account.email, account.password, organization=account.organization)
    return account, created["login_url"]


def invite(page, stack, account: Account, email: str, role_label: str) -> str:
    """As a signed-in admin on the dashboard: Members → invite form → the link from the e-mail the worker sent."""
    page.get_by_role("link", name="Members", exact=True).click()
    page.wait_for_url(stack.url(account.host, "/members/"))
    form = page.get_by_test_id("invite-form")
    form.locator("#id_email").fill(email)
    form.locator("#id_role").select_option(label=role_label)
    page.get_by_test_id("invite-submit").click()
    page.wait_for_url(stack.url(account.host, "/members/"))
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {email}")
    mail = stack.read_mail(email)
    return link_in_mail(mail, account.host, stack.port)


def test_signup_from_the_landing_page_ends_on_the_organizations_own_dashboard(embedded_stack, new_context, page, shots):
    account = new_account("hanbit")

    signup_in_browser(page, embedded_stack, account, shots)

    assert page.url == embedded_stack.url(account.host, "/")
    expect(page.get_by_test_id("dashboard-title")).to_have_text(f"Welcome to {account.organization}")
    expect(page.get_by_test_id("who")).to_have_text(f"{account.email} · Owner")
    expect(page.get_by_test_id("org-name")).to_have_text(account.organization)
    shots.take(page, "dashboard")
    assert new_context.page_errors == []


def test_owner_invites_an_editor_who_joins_signs_out_and_signs_in_again(embedded_stack, page, new_context, shots):
    stack = embedded_stack
    owner = new_account("inviteco")
    member_email = f"member@{owner.slug}.example"
    signup_in_browser(page, stack, owner)

    link = invite(page, stack, owner, member_email, "Editor")
    # The invitation's expiry reads the same in the email and on the members page (one date format, one zone).
    valid_until = re.search(r"valid until (\d{4}-\d{2}-\d{2} \d{2}:\d{2})", stack.read_mail(member_email))
    assert valid_until, "no expiry date in the invitation email"
    expect(page.locator("main")).to_contain_text(f"expires {valid_until.group(1)}")
    shots.take(page, "owner-invited")

    # Another person, in a browser context of their own.
    member = new_context().new_page()
    member.goto(link)
    expect(member.get_by_test_id("accept-form")).to_be_visible()
    expect(member.locator("main")).to_contain_text(member_email)
    member.locator("#id_name").fill("Kim Minji")
    member.locator("#id_password").fill(PASSWORD)
    shots.take(member, "member-accept-filled")
    member.get_by_test_id("accept-submit").click()
    member.wait_for_url(stack.url(owner.host, "/"))
    expect(member.get_by_test_id("dashboard-title")).to_have_text(f"Welcome to {owner.organization}")
    expect(member.get_by_test_id("who")).to_have_text("Kim Minji · Editor")
    shots.take(member, "member-dashboard")

    member.get_by_role("button", name="Sign out").click()
    member.wait_for_url(stack.url(owner.host, "/login/"))
    expect(member.get_by_test_id("who")).to_have_count(0)
    member.goto(stack.url(owner.host, "/"))
    member.wait_for_url(f"{stack.url(owner.host, '/login/')}**")  # signed out: the dashboard asks to sign in
    login = member.get_by_test_id("login-form")
    login.locator("#id_email").fill(member_email)
    login.locator("#id_password").fill(PASSWORD)
    member.get_by_test_id("login-submit").click()
    member.wait_for_url(stack.url(owner.host, "/"))
    expect(member.get_by_test_id("who")).to_have_text("Kim Minji · Editor")

    page.reload()
    row = page.get_by_test_id("members-table").locator(f'tr[data-email="{member_email}"]')
    expect(row).to_contain_text("Kim Minji")
    expect(row).to_contain_text("Editor")
    expect(row).to_contain_text("Active")
    shots.take(page, "owner-members")


def test_signup_errors_are_shown_next_to_their_fields_and_nothing_is_created(embedded_stack, page, shots):
    stack = embedded_stack
    page.goto(stack.url("localhost", "/signup/"))
    form = page.get_by_test_id("signup-form")
    form.locator("#id_organization").fill("Admin Club")
    form.locator("#id_slug").fill("admin")
    form.locator("#id_email").fill(f"owner@{unique('bad')}.example")
    form.locator("#id_password").fill("12345")
    page.get_by_test_id("signup-submit").click()

    slug_field = form.locator(".field", has=page.locator("#id_slug"))
    password_field = form.locator(".field", has=page.locator("#id_password"))
    expect(slug_field.get_by_test_id("error-slug")).to_contain_text("reserved")
    expect(password_field.get_by_test_id("error-password").first).to_contain_text("too short")
    expect(form.locator("#id_organization")).to_have_value("Admin Club")  # what was typed is kept
    expect(form.locator("#id_password")).to_have_value("")  # but the password is never sent back
    shots.take(page, "reserved-slug-weak-password")

    # A valid address with the weak password: only the password is wrong, and no organization appears.
    slug = unique("weakpw")
    form.locator("#id_slug").fill(slug)
    form.locator("#id_password").fill("12345")
    page.get_by_test_id("signup-submit").click()
    expect(password_field.get_by_test_id("error-password").first).to_contain_text("too short")
    expect(page.get_by_test_id("error-slug")).to_have_count(0)
    assert page.url == stack.url("localhost", "/signup/")
    shots.take(page, "weak-password")
    for host in (f"{slug}.localhost", "admin.localhost"):
        with stack.http(host) as client:
            assert client.get("/").status_code == 404, host


def test_an_accepted_invitation_link_cannot_be_used_again(embedded_stack, page, new_context, shots):
    stack = embedded_stack
    owner, login_url = api_signup(stack, "reuse")
    sign_in_with_link(page, login_url)
    member_email = f"member@{owner.slug}.example"
    link = invite(page, stack, owner, member_email, "Viewer")

    member = new_context().new_page()
    member.goto(link)
    member.locator("#id_name").fill("Lee Jiho")
    member.locator("#id_password").fill(PASSWORD)
    member.get_by_test_id("accept-submit").click()
    expect(member.get_by_test_id("who")).to_have_text("Lee Jiho · Viewer")

    for person, who in ((member, "member"), (new_context().new_page(), "stranger")):
        person.goto(link)
        expect(person.get_by_test_id("error")).to_contain_text("already been used")
        expect(person.get_by_test_id("accept-form")).to_have_count(0)
        shots.take(person, f"used-link-{who}")


def test_switching_to_korean_reloads_the_page_in_korean_and_stays_korean(embedded_stack, page, shots):
    with translation.override("ko"):
        members_ko = translation.gettext("Members")
        dashboard_ko = translation.gettext("Dashboard")
    assert members_ko != "Members", "no Korean translation for “Members” (locale/ko/LC_MESSAGES/django.mo missing or incomplete)"

    stack = embedded_stack
    owner, login_url = api_signup(stack, "hangul")
    sign_in_with_link(page, login_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_test_id("language-select").select_option(label="한국어")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert page.url == stack.url(owner.host, "/")  # back on the same page
    expect(page.get_by_test_id("language-select")).to_have_value("ko")
    expect(page.locator(".topnav")).to_contain_text(members_ko)
    expect(page.locator(".topnav")).not_to_contain_text("Members")
    shots.take(page, "dashboard-ko")

    page.locator('.topnav a[href="/members/"]').click()
    page.wait_for_url(stack.url(owner.host, "/members/"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("main h1")).to_have_text(members_ko)
    expect(page.locator(".topnav")).to_contain_text(dashboard_ko)
    shots.take(page, "members-ko")


def test_pages_fit_a_phone_screen_without_horizontal_scrolling(embedded_stack, new_context, shots):
    owner, login_url = api_signup(embedded_stack, "phone")
    phone = new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True).new_page()
    sign_in_with_link(phone, login_url)
    expect(phone.locator(".topbar")).to_have_css("display", "flex")  # the stylesheet is applied

    sizes = no_horizontal_scroll(phone)
    shots.take(phone, "dashboard-phone")
    # A mobile browser widens its layout viewport to fit content that is too wide, which would hide the overflow.
    assert sizes["innerWidth"] == 390, f"the layout viewport grew to fit wide content: {sizes}"
    assert sizes["scrollWidth"] <= sizes["innerWidth"] + 1, f"the dashboard scrolls sideways on a phone: {sizes}"

    for path in ("/members/", "/settings/tokens/"):
        phone.goto(embedded_stack.url(owner.host, path))
        sizes = no_horizontal_scroll(phone)
        shots.take(phone, f"phone{path.replace('/', '-')}")
        assert sizes["innerWidth"] == 390, f"{path}: the layout viewport grew to fit wide content: {sizes}"
        assert sizes["scrollWidth"] <= sizes["innerWidth"] + 1, f"{path} scrolls sideways on a phone: {sizes}"
