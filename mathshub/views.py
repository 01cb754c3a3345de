from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse


def admin_login(request):
    """The admin signs in through allauth, so its rate limits and checks apply there too."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
