from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def invoice_list(request: HttpRequest, firm_slug: str) -> HttpResponse:
    return render(request, "invoicing/invoice_list.html")
