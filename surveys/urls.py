from django.urls import path, register_converter

from surveys import views


class OccasionConverter:
    regex = "start|end"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OccasionConverter, "occasion")

app_name = "surveys"
urlpatterns = [
    path("", views.MySurveysView.as_view(), name="mine"),
    path("groups/<int:pk>/", views.GroupSummaryView.as_view(), name="group_summary"),
    path("<int:group>/<occasion:occasion>/", views.AnswerStartView.as_view(), name="answer"),
    path(
        "<int:group>/<occasion:occasion>/<int:step>/",
        views.AnswerStepView.as_view(),
        name="step",
    ),
    path("<int:group>/<occasion:occasion>/save/", views.AutosaveView.as_view(), name="autosave"),
    path("<int:group>/<occasion:occasion>/done/", views.DoneView.as_view(), name="done"),
]
