from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from apps.accounts import selectors
from apps.accounts.dashboard import dashboard as dashboard_parts
from apps.accounts.dashboard import first_steps_view, panels_view
from apps.accounts.errors import AccountsError, InvalidLink
from apps.accounts.forms import (
    AcceptInvitationForm,
    InviteForm,
    LoginForm,
    MemberUpdateForm,
    OrganizationSettingsForm,
    SignupForm,
    TokenForm,
)
from apps.accounts.middleware import SESSION_ORGANIZATION_KEY, current_organization
from apps.accounts.models import Invitation
from apps.accounts.roles import ROLE_HELP, Role, can_manage_members, role_at_least
from apps.accounts.services.authentication import credentials_check, member_login_check
from apps.accounts.services.handoff import handoff_consume, handoff_url
from apps.accounts.services.invitations import invitation_accept, invitation_create, invitation_resolve, invitation_revoke
from apps.accounts.services.memberships import membership_update
from apps.accounts.services.organizations import organization_update
from apps.accounts.services.signup import organization_signup
from apps.accounts.services.tokens import api_token_create, api_token_revoke
from apps.core.paths import is_api_path


def lockout_response(request, credentials, *args, **kwargs):
    message = _("Too many failed sign-in attempts. Please wait a while and try again.")
    if is_api_path(request.path):
        return JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    return render(request, "accounts/login.html", {"form": LoginForm(), "error": message}, status=429)


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _sign_in(request, user, organization):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_ORGANIZATION_KEY] = organization.pk if organization is not None else None


def _with_language(response, user):
    if user.language:
        from django.conf import settings

        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax")
    return response


# ---- public host -------------------------------------------------------------------------------


def landing(request):
    return render(request, "public/landing.html")


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = organization_signup(
                organization_name=form.cleaned_data["organization"],
                slug=form.cleaned_data["slug"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return HttpResponseRedirect(result.login_url)
    return render(request, "public/signup.html", {"form": form}, status=400 if form.errors else 200)


def find_organizations(request):
    """Public sign-in: check the password once and list the person's organizations with one-time links."""
    form = LoginForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            user = credentials_check(request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"])
        except AccountsError as exc:
            context["error"] = exc.message
            return render(request, "public/find.html", context, status=exc.status)
        organizations = selectors.organization_list_for_user(user=user)
        context["organizations"] = [(org, handoff_url(user=user, organization=org)) for org in organizations]
        context["form"] = None
    return render(request, "public/find.html", context)


# ---- organization host --------------------------------------------------------------------------


def member_login(request):
    organization = current_organization(request)
    if request.user.is_authenticated and request.membership is not None:
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    context = {"form": form, "next": _safe_next(request)}
    if request.method == "POST" and form.is_valid():
        try:
            user, _membership = member_login_check(
                request=request, organization=organization, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except AccountsError as exc:
            context["error"] = exc.message
            return render(request, "accounts/login.html", context, status=exc.status)
        _sign_in(request, user, organization)
        return _with_language(redirect(_safe_next(request)), user)
    return render(request, "accounts/login.html", context)


@require_POST
def member_logout(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


def handoff(request):
    organization = current_organization(request)
    try:
        user = handoff_consume(token=request.GET.get("token", ""), organization=organization)
    except InvalidLink as exc:
        messages.error(request, exc.message)
        return redirect("accounts:login")
    if request.user.is_authenticated:
        logout(request)
    _sign_in(request, user, organization)
    return _with_language(redirect(_safe_next(request)), user)


@login_required
def dashboard(request):
    organization = current_organization(request)
    others = selectors.organization_list_for_user(user=request.user).exclude(pk=organization.pk)
    context = {
        "other_organizations": [(other, handoff_url(user=request.user, organization=other)) for other in others],
        "member_count": selectors.member_list(organization=organization).filter(is_active=True).count(),
        "pending_invitations": selectors.pending_invitation_list(organization=organization).count(),
        "role_help": ROLE_HELP[Role(request.membership.role)],
        "first_steps": first_steps_view(request),
        "start_choices": dashboard_parts.choices(),
        "panels": panels_view(request),
        "can_edit": role_at_least(request.membership.role, Role.EDITOR),
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
def members(request):
    organization = current_organization(request)
    manage = can_manage_members(request.membership.role)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not manage:
            messages.error(request, _("Only admins and owners can invite people."))
            return redirect("accounts:members")
        if form.is_valid():
            try:
                invitation = invitation_create(actor=request.membership, email=form.cleaned_data["email"], role=form.cleaned_data["role"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except AccountsError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("accounts:members")
    context = {
        "memberships": selectors.member_list(organization=organization),
        "invitations": selectors.pending_invitation_list(organization=organization) if manage else [],
        "form": form,
        "can_manage": manage,
        "roles": Role.choices,
    }
    return render(request, "accounts/members.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def member_update(request, pk):
    organization = current_organization(request)
    membership = get_object_or_404(selectors.member_list(organization=organization), pk=pk)
    form = MemberUpdateForm(request.POST)
    if form.is_valid():
        try:
            membership_update(
                actor=request.membership,
                membership=membership,
                role=form.cleaned_data.get("role") or None,
                is_active=form.cleaned_data.get("is_active"),
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        except AccountsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved changes for %(person)s.") % {"person": membership.user.display_name})
    return redirect("accounts:members")


@login_required
@require_POST
def invitation_cancel(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk, organization=current_organization(request))
    try:
        invitation_revoke(actor=request.membership, invitation=invitation)
    except AccountsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation to %(email)s cancelled.") % {"email": invitation.email})
    return redirect("accounts:members")


def invitation_page(request, token):
    organization = current_organization(request)
    try:
        invitation = invitation_resolve(token=token, organization=organization)
    except InvalidLink as exc:
        return render(request, "accounts/invitation_invalid.html", {"error": exc.message}, status=400)
    from apps.accounts.models import User

    existing = User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except InvalidLink as exc:
            return render(request, "accounts/invitation_invalid.html", {"error": exc.message}, status=400)
        else:
            if request.user.is_authenticated:
                logout(request)
            _sign_in(request, user, organization)
            messages.success(request, _("Welcome to %(organization)s!") % {"organization": organization.name})
            return _with_language(redirect("accounts:dashboard"), user)
    context = {"invitation": invitation, "form": form, "existing": existing}
    return render(request, "accounts/invitation.html", context, status=400 if form.errors else 200)


@login_required
def organization_settings(request):
    organization = current_organization(request)
    manage = can_manage_members(request.membership.role)
    initial = {
        "name": organization.name,
        "time_zone": organization.time_zone,
        "allowed_internal_hosts": "\n".join(organization.allowed_internal_hosts),
    }
    form = OrganizationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and manage and form.is_valid():
        try:
            organization_update(
                actor=request.membership,
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
                allowed_internal_hosts=form.cleaned_data["allowed_internal_hosts"].splitlines(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Organization settings saved."))
            return redirect("accounts:organization-settings")
    context = {"form": form, "can_manage": manage}
    return render(request, "accounts/organization_settings.html", context, status=400 if form.errors else 200)


@login_required
def tokens(request):
    organization = current_organization(request)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created = api_token_create(user=request.user, organization=organization, name=form.cleaned_data["name"])
        except AccountsError as exc:
            form.add_error("name", exc.message)
    context = {
        "tokens": selectors.api_token_list(user=request.user, organization=organization),
        "form": TokenForm() if created else form,
        "created": created,
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(selectors.api_token_list(user=request.user, organization=current_organization(request)), pk=pk)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, _("Token “%(name)s” revoked. Programs using it can no longer sign in.") % {"name": token.name})
    return redirect("accounts:tokens")


@require_POST
def change_language(request):
    """Django's language switch, remembered on the person too so that it follows them to every host."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"ko", "en"} and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


# ---- forgotten password (public site and organization hosts alike) -------------------------------------

RESET_SESSION_KEY = "_ezflow_password_reset_token"
RESET_SET = "set"  # the link's token moves to the session, so it never stays in the address bar or a Referer


def _reset_context(request, **context) -> dict:
    organization = current_organization(request)
    base = "org_base.html" if organization is not None else "public_base.html"
    namespace = "accounts" if organization is not None else "public"
    sign_in = "accounts:login" if organization is not None else "public:find"
    reset = f"{namespace}:password-reset"
    return {"base_template": base, "organization": organization, "sign_in_url": sign_in, "reset_url": reset, **context}


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def password_reset(request):
    """Asks for the email; the answer never says whether an account exists."""
    from apps.accounts.forms import PasswordResetForm
    from apps.accounts.services.password_reset import password_reset_request

    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_request(email=form.cleaned_data["email"], organization=current_organization(request), ip=_client_ip(request))
        except AccountsError as exc:
            return render(request, "accounts/password_reset.html", _reset_context(request, form=form, error=exc.message), status=exc.status)
        return render(request, "accounts/password_reset_sent.html", _reset_context(request, email=form.cleaned_data["email"]))
    return render(request, "accounts/password_reset.html", _reset_context(request, form=form))


def password_reset_confirm(request, uidb64, token):
    from apps.accounts.forms import NewPasswordForm
    from apps.accounts.services.password_reset import password_reset_confirm as confirm
    from apps.accounts.services.password_reset import password_reset_user

    if token != RESET_SET:
        request.session[RESET_SESSION_KEY] = token
        return redirect(request.path.replace(f"/{token}/", f"/{RESET_SET}/"))
    user = password_reset_user(uidb64=uidb64, token=request.session.get(RESET_SESSION_KEY, ""))
    if user is None:
        return render(request, "accounts/password_reset_invalid.html", _reset_context(request), status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirm(user=user, password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            for message in exc.message_dict.get("new_password", []):
                form.add_error("new_password", message)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, _("Your password has been changed. Sign in with the new one."))
            return redirect(_reset_context(request)["sign_in_url"])
    return render(request, "accounts/password_reset_confirm.html", _reset_context(request, form=form, email=user.email))
