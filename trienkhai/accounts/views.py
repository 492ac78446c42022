from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trienkhai.accounts.audit import audit
from trienkhai.accounts.forms import LoginForm
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import memberships_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit(AuditEvent.Kind.PASSWORD_CHANGED, request=request, user=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"memberships": memberships_of(request.user)})
