from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trienkhai.accounts import second_factor as sf
from trienkhai.accounts.audit import audit
from trienkhai.accounts.forms import LoginForm, SecondFactorForm
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
    user = request.user
    context = {
        "memberships": memberships_of(user),
        "second_factor_needed": sf.needs_second_factor(user),
        "second_factor_device": sf.confirmed_device(user),
    }
    return render(request, "accounts/profile.html", context)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify the authenticator code — or, the first time, set the app up and verify."""
    user = request.user
    if not sf.needs_second_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    device = sf.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = sf.pending_device(user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        wait = sf.wait_seconds(device)
        if wait:
            form.add_error(
                "code", _("Too many wrong codes. Wait %(n)s seconds, then try again.") % {"n": wait}
            )
        elif (sf.confirm if enrolling else sf.verify)(request, device, code):
            kind = (
                AuditEvent.Kind.SECOND_FACTOR_SET
                if enrolling
                else AuditEvent.Kind.SECOND_FACTOR_PASSED
            )
            audit(kind, request=request, user=user)
            if enrolling:
                messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next_url(request))
        else:
            audit(AuditEvent.Kind.SECOND_FACTOR_FAILED, request=request, user=user)
            form.add_error(
                "code",
                _(
                    "This code is not right. Check the time on your phone and enter the newest"
                    " code."
                ),
            )
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context.update(qr=sf.qr_svg(device), secret=sf.secret_text(device))
    return render(request, "accounts/second_factor.html", context)
