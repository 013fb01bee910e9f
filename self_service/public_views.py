"""The client's pages, reached through its link (no login)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


def save_field(request: HttpRequest, token: str, code: str) -> HttpResponse:
    raise NotImplementedError


def submit(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
