from django.urls import path

from apps.assistant import pages

urlpatterns = [path("", pages.assistant_page, name="start")]
