from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def dashboard(request: HttpRequest, firm_slug: str) -> HttpResponse:
    return render(request, "cartography/dashboard.html")
