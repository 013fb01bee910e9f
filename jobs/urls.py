from django.urls import path

from jobs import views

urlpatterns = [
    path("travaux/", views.job_list, name="job_list"),
    path("travaux/<int:job_id>/", views.job_detail, name="job_detail"),
    path("travaux/<int:job_id>/fichier/", views.job_download, name="job_download"),
    path("travaux/<int:job_id>/annuler/", views.job_cancel, name="job_cancel"),
    path("travaux/<int:job_id>/relancer/", views.job_rerun, name="job_rerun"),
]
