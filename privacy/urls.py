from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("data/", views.MyDataView.as_view(), name="my_data"),
    path("data/download/", views.MyDataDownloadView.as_view(), name="my_data_download"),
    path("data/erase/", views.EraseView.as_view(), name="erase"),
    path("data/erased/", views.ErasedView.as_view(), name="erased"),
]
