"""The site's URLs plus a page showing a project's impact section as the national report will,
for the browser test of the section until the report page includes it."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Template
from django.template.context import RequestContext
from django.urls import path

from mathshub.urls import urlpatterns as site_urlpatterns
from projects.models import AcademicYear, Project
from surveys.impact import impact_for

PAGE = Template(
    '{% extends "base.html" %}{% block title %}Impact section{% endblock %}'
    "{% block content %}<h1>{{ project.title }}: national report, {{ year }}</h1>"
    '{% include "surveys/_impact_section.html" %}{% endblock %}'
)


def impact_page(request, project, year):
    project = get_object_or_404(Project, pk=project)
    year = get_object_or_404(AcademicYear, pk=year)
    context = {"project": project, "year": year, "impact": impact_for(project, year)}
    return HttpResponse(PAGE.render(RequestContext(request, context)))


urlpatterns = [
    *site_urlpatterns,
    path("__impact__/<int:project>/<int:year>/", impact_page),
]
