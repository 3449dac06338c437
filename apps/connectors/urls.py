from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse

from apps.connectors import form_pages, pages

app_name = "connections"


def _moved(name: str):
    """The page's former addresses (bookmarks, links in emails): 308, so a form's POST stays a POST."""

    def view(request, **kwargs):
        query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
        return HttpResponsePermanentRedirect(reverse(name, kwargs=kwargs) + query, preserve_request=True)

    return view


urlpatterns = [
    path("connections/", pages.connection_list_page, name="list"),
    path("connections/<int:pk>/test/", pages.connection_test_page, name="test"),
    path("connections/<int:pk>/connect/", pages.connection_connect_page, name="connect"),
    path("forms/<str:token>/", form_pages.hosted_form_page, name="hosted-form"),
    path("oauth2/callback/", pages.oauth2_callback, name="oauth2-callback"),
    path("credentials/", _moved("connections:list")),
    path("credentials/<int:pk>/test/", _moved("connections:test")),
    path("credentials/<int:pk>/connect/", _moved("connections:connect")),
]
