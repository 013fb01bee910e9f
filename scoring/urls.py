from django.urls import path

from scoring import views

urlpatterns = [path("parametres/score/", views.grid_editor, name="scoring_grid")]
