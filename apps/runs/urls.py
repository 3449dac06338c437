from django.urls import path

from apps.runs import pages

app_name = "runs"

urlpatterns = [
    path("runs/", pages.run_list_page, name="list"),
    path("runs/<int:pk>/", pages.run_detail_page, name="detail"),
    path("runs/<int:pk>/<str:action>/", pages.run_action, name="action"),
    path("monitoring/", pages.monitoring_page, name="monitoring"),
]
