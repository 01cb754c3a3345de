from django.urls import path

from evaluations import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("rebuild/", views.ReportRebuildView.as_view(), name="rebuild"),
    path("reach/", views.ReachView.as_view(), name="reach"),
    path("reach.csv", views.ReachCsvView.as_view(), name="reach_csv"),
    path("hubs/<int:pk>/", views.HubReportView.as_view(), name="hub"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ReportStatusView.as_view(), name="status"),
    path("<int:pk>/report.csv", views.ReportCsvView.as_view(), name="csv"),
    path("<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="pdf"),
    path("<int:pk>/pdf/retry/", views.ReportPdfRetryView.as_view(), name="pdf_retry"),
]
