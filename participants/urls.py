from django.urls import path

from participants import views, views_privacy

app_name = "participants"
urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("schools/", views.SchoolSearchView.as_view(), name="school_search"),
    path("data/", views_privacy.MyDataView.as_view(), name="my_data"),
    path("data/download/", views_privacy.MyDataDownloadView.as_view(), name="my_data_download"),
    path("data/erase/", views_privacy.EraseView.as_view(), name="erase"),
    path("data/erased/", views_privacy.ErasedView.as_view(), name="erased"),
]
