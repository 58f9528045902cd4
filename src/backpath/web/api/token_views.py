"""Each user's own API tokens: see them (never their keys), make one (the key is shown once),
revoke one. Any signed-in user; nobody sees another's tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from backpath.web.api.models import DEFAULT_DAYS, SCOPES, ApiToken
from backpath.web.audit.record import record


class TokenForm(forms.Form):
    name = forms.CharField(label="What it is for", max_length=100)
    scope = forms.ChoiceField(label="Scope", choices=list(SCOPES.items()), initial="read")
    days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=365, initial=DEFAULT_DAYS
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, key = ApiToken.issue(request.user, data["name"], data["scope"], data["days"])
        record(request, "token_create", token, detail=f"API token {token.prefix} ({token.scope})")
        page = {"token": token, "key": key}
        response = render(request, "api/token_created.html", page)
        response["Cache-Control"] = "private, no-store"
        return response
    owned = ApiToken.objects.filter(user=request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": owned})


@login_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method == "POST" and token.revoked is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked=timezone.now())
        record(request, "token_revoke", token, detail=f"API token {token.prefix} revoked")
        messages.success(request, f"Token {token.prefix}… is revoked.")
    return redirect("tokens:list")
