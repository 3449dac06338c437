from django.urls import path

from apps.runs.api import views

app_name = "runs_api"

urlpatterns = [
    path("realtime/ticket", views.RealtimeTicketApi.as_view(), name="realtime-ticket"),
    path("flows/<int:pk>/run", views.FlowRunApi.as_view(), name="flow-run"),
    path("flows/<int:pk>/webhook-listen", views.WebhookListenApi.as_view(), name="flow-webhook-listen"),
    path("flows/<int:pk>/webhook-listen/<int:listen_id>", views.WebhookListenDetailApi.as_view(), name="flow-webhook-listen-detail"),
    path("runs", views.RunListApi.as_view(), name="runs"),
    path("runs/stats", views.RunStatsApi.as_view(), name="run-stats"),
    path("runs/<int:pk>", views.RunDetailApi.as_view(), name="run-detail"),
    path("runs/<int:pk>/cancel", views.RunCancelApi.as_view(), name="run-cancel"),
    path("runs/<int:pk>/retry", views.RunRetryApi.as_view(), name="run-retry"),
]
