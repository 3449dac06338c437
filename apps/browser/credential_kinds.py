"""The credential a browser step logs in with. Its key is stored in credentials: never rename it."""

from __future__ import annotations

from apps.flows.credential_kinds.base import CredentialKind, Field, t
from apps.flows.credential_kinds.registry import register


@register
class WebsiteLogin(CredentialKind):
    """A username and password typed into a website's login form by a browser step ("Type the login's username /
    password"). Sent only to the browser's child process; never in run data, logs or screenshots' names."""

    key = "website_login"
    label = t("Website login (username and password)", "웹사이트 로그인(아이디와 비밀번호)")
    fields = (
        Field("username", t("Username", "아이디"), secret=False),
        Field("password", t("Password", "비밀번호")),
    )
    help = t(
        "The username and password you type on the website's login page. Browser steps type them with the actions "
        "“Type the login's username” and “Type the login's password”.",
        "웹사이트 로그인 화면에 입력하는 아이디와 비밀번호입니다. 브라우저 단계의 “로그인 정보의 아이디 입력”, "
        "“로그인 정보의 비밀번호 입력” 동작이 입력합니다.",
    )
