from django.urls import path

from evaluations import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("rebuild/", views.ReportRebuildView.as_view(), name="rebuild"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ReportStatusView.as_view(), name="status"),
    path("<int:pk>/report.csv", views.ReportDownloadView.as_view(kind="csv"), name="csv"),
    path("<int:pk>/report.pdf", views.ReportDownloadView.as_view(kind="pdf"), name="pdf"),
]
