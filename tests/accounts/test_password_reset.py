"""“Forgot your password?”: an emailed link, single use, expiring, rate-limited, the same answer for every address."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client

from apps.accounts.models import PasswordResetRequest, User
from tests.support.data import PASSWORD

NEW_PASSWORD = "a-new-passphrase-77"


@pytest.fixture
def organization(data):
    return data.create_organization(slug="reset-co")


def ask(client, email, **extra):
    return client.post("/password-reset/", {"email": email}, **extra)


def link_in(mail, host) -> str:
    return re.search(rf"http://{re.escape(host)}:8000(/password-reset/[^/\s]+/[^/\s]+/)", mail.body).group(1)


def test_a_member_resets_their_password_with_the_emailed_link_once(
    data, organization, mailbox, eager_tasks, django_capture_on_commit_callbacks
):
    owner = data.owner_of(organization)
    guest = Client(HTTP_HOST=organization.host)
    login_page = guest.get("/login/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "비밀번호를 잊으셨나요?" in login_page and 'href="/password-reset/"' in login_page
    with django_capture_on_commit_callbacks(execute=True):
        sent = ask(guest, owner.email.upper())
    assert sent.status_code == 200 and 'data-testid="password-reset-sent"' in sent.content.decode()
    (mail,) = mailbox
    assert mail.to == [owner.email]
    link = link_in(mail, organization.host)  # back to the organization's own host, where the member signs in

    opened = guest.get(link)
    assert opened.status_code == 302 and opened["Location"].endswith("/set/")  # the token leaves the address bar
    form = guest.get(opened["Location"])
    assert form.status_code == 200 and owner.email in form.content.decode()
    mismatch = guest.post(opened["Location"], {"new_password": NEW_PASSWORD, "new_password_again": "other-one-123"})
    assert mismatch.status_code == 200 and 'data-testid="error-new_password_again"' in mismatch.content.decode()
    weak = guest.post(opened["Location"], {"new_password": "1234", "new_password_again": "1234"})
    assert 'data-testid="error-new_password"' in weak.content.decode()
    done = guest.post(opened["Location"], {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"

    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD) and not owner.check_password(PASSWORD)
    signed_in = Client(HTTP_HOST=organization.host).post("/login/", {"email": owner.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302

    again = Client(HTTP_HOST=organization.host)  # the same link a second time: used up
    reused = again.get(again.get(link)["Location"])
    assert reused.status_code == 400 and 'data-testid="password-reset-invalid"' in reused.content.decode()


def test_the_answer_is_the_same_for_unknown_addresses_and_for_people_of_other_organizations(
    data, organization, mailbox, eager_tasks, django_capture_on_commit_callbacks
):
    stranger = data.owner_of(data.create_organization(slug="reset-other"))
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("nobody@nowhere.example", stranger.email, data.owner_of(organization).email):
            response = ask(Client(HTTP_HOST=organization.host), email)
            section = re.search(r"<section.*?</section>", response.content.decode(), re.DOTALL).group(0)
            answers.append((response.status_code, section.replace(email, "EMAIL")))
    assert answers[0] == answers[1] == answers[2]
    assert [m.to for m in mailbox] == [[data.owner_of(organization).email]]  # only the member of this organization


def test_the_public_site_resets_any_account_and_links_back_to_itself(
    data, organization, mailbox, eager_tasks, django_capture_on_commit_callbacks
):
    owner = data.owner_of(organization)
    public = data.client_for(None)
    assert "Forgot your password?" in public.get("/login/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(public, owner.email).status_code == 200
    link = link_in(mailbox[0], "localhost")
    page = public.get(public.get(link)["Location"])
    assert page.status_code == 200
    done = public.post(public.get(link)["Location"], {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert User.objects.get(pk=owner.pk).check_password(NEW_PASSWORD)


def test_links_expire(data, organization, monkeypatch, settings):
    from apps.accounts.services.password_reset import password_reset_link

    owner = data.owner_of(organization)
    link = password_reset_link(user=owner, host=organization.host).split(":8000", 1)[1]
    later = default_token_generator._now() + __import__("datetime").timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    guest = Client(HTTP_HOST=organization.host)
    assert guest.get(guest.get(link)["Location"]).status_code == 400
    assert guest.post(guest.get(link)["Location"], {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}).status_code == 400
    assert User.objects.get(pk=owner.pk).check_password(PASSWORD)


def test_requests_are_rate_limited_per_address_whether_or_not_it_has_an_account(data, organization, settings, mailbox):
    settings.EZFLOW_PASSWORD_RESET_PER_EMAIL = 2
    guest = Client(HTTP_HOST=organization.host)
    for email in ("ghost@nowhere.example", data.owner_of(organization).email):
        assert ask(guest, email).status_code == 200
        assert ask(guest, email).status_code == 200
        limited = ask(guest, email, HTTP_ACCEPT_LANGUAGE="ko")
        assert limited.status_code == 429 and "한 시간" in limited.content.decode()
    assert not PasswordResetRequest.objects.filter(email_hash__contains="@").exists()  # no addresses stored
    settings.EZFLOW_PASSWORD_RESET_PER_IP = 4
    assert ask(guest, "third@nowhere.example").status_code == 429  # four answered from this IP address already


def test_bad_input_is_a_clear_error_not_a_crash(organization):
    guest = Client(HTTP_HOST=organization.host)
    bad = ask(guest, "not-an-email")
    assert bad.status_code == 200 and 'data-testid="error-email"' in bad.content.decode()
    assert guest.get("/password-reset/%%%/xyz/").status_code in (302, 400, 404)
    assert guest.get("/password-reset/Zm9v/set/").status_code == 400
