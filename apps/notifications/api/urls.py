from django.urls import path

from apps.notifications.api import views

app_name = "notifications_api"

urlpatterns = [
    path("notifications", views.NotificationListApi.as_view(), name="notifications"),
    path("notifications/read-all", views.NotificationReadAllApi.as_view(), name="notifications-read-all"),
    path("notifications/<int:pk>/read", views.NotificationReadApi.as_view(), name="notification-read"),
    path("flows/<int:flow_pk>/alert-rules", views.AlertRuleListApi.as_view(), name="alert-rules"),
    path("flows/<int:flow_pk>/alert-rules/<int:pk>", views.AlertRuleDetailApi.as_view(), name="alert-rule"),
]
