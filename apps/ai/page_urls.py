from django.urls import path

from apps.ai import pages

app_name = "ai_pages"

urlpatterns = [
    path("ai/modules/", pages.module_list_page, name="modules"),
    path("ai/modules/<int:pk>/", pages.module_detail_page, name="module"),
    path("ai/modules/<int:pk>/delete/", pages.module_delete_page, name="module-delete"),
]
