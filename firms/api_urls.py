from django.urls import path

from firms import api

urlpatterns = [path("", api.me, name="api_me")]
