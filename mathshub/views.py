from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from projects.models import AcademicYear


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_year=AcademicYear.objects.current(), **kwargs)


def admin_login(request):
    """The admin signs in through allauth, so its rate limits and checks apply there too."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
