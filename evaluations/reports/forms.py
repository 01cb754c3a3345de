"""The national team's rebuild button: which report to build again."""

from django import forms

from participants.models import Hub
from projects.models import AcademicYear, Project


class RebuildForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.all())
    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.all())
    hub = forms.ModelChoiceField(queryset=Hub.objects.all(), required=False)
