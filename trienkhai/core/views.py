from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trienkhai.accounts.scoping import home_unit, memberships_of


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return _home(request)


@login_required
def _home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {"memberships": memberships_of(request.user), "home_unit": home_unit(request.user)},
    )
