from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.member_login, name="login"),
    path("logout/", views.member_logout, name="logout"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("auth/handoff/", views.handoff, name="handoff"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member_update, name="member-update"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation-cancel"),
    path("invite/<str:token>/", views.invitation_page, name="invitation"),
    path("settings/organization/", views.organization_settings, name="organization-settings"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]

public_urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.find_organizations, name="find"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password-reset-confirm"),
]
