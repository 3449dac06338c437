from django.urls import path

from apps.accounts.api import views

app_name = "accounts_api"

urlpatterns = [
    path("auth/token", views.TokenLoginApi.as_view(), name="token-login"),
    path("tokens", views.TokenListApi.as_view(), name="tokens"),
    path("tokens/<int:pk>", views.TokenDetailApi.as_view(), name="token-detail"),
    path("me", views.MeApi.as_view(), name="me"),
    path("organization", views.OrganizationApi.as_view(), name="organization"),
    path("members", views.MemberListApi.as_view(), name="members"),
    path("members/<int:pk>", views.MemberDetailApi.as_view(), name="member-detail"),
    path("invitations", views.InvitationListApi.as_view(), name="invitations"),
    path("invitations/<int:pk>", views.InvitationDetailApi.as_view(), name="invitation-detail"),
]

public_urlpatterns = [
    path("signup", views.SignupApi.as_view(), name="signup"),
]
