from django.urls import path

from backpath.web.plans import program_views, reference_views, views

app_name = "plans"

urlpatterns = [
    path("episode/<int:episode_id>/", views.plan_page, name="plan"),
    path("episode/<int:episode_id>/history/", views.history, name="history"),
    path("episode/<int:episode_id>/publish/", views.publish, name="publish"),
    path(
        "episode/<int:episode_id>/items/<slug:treatment>/accept/", views.accept_item, name="accept"
    ),
    path("episode/<int:episode_id>/items/<slug:treatment>/drop/", views.drop_item, name="drop"),
    path("episode/<int:episode_id>/items/<slug:treatment>/add/", views.add_item, name="add"),
    path(
        "episode/<int:episode_id>/program/add/",
        program_views.add_exercise,
        name="program_add",
    ),
    path(
        "episode/<int:episode_id>/program/<slug:exercise>/swap/",
        program_views.swap_exercise,
        name="program_swap",
    ),
    path(
        "episode/<int:episode_id>/program/<slug:exercise>/redose/",
        program_views.redose_exercise,
        name="program_redose",
    ),
    path(
        "episode/<int:episode_id>/program/<slug:exercise>/remove/",
        program_views.remove_exercise,
        name="program_remove",
    ),
    path("exercises/<slug:exercise>/<slug:mode>.svg", program_views.figure, name="exercise_figure"),
    path("episode/<int:episode_id>/v<int:number>/", views.version_page, name="version"),
    path("episode/<int:episode_id>/v<int:number>/print/", views.print_page, name="print"),
    path("episode/<int:episode_id>/v<int:number>/pdf/", views.plan_pdf, name="pdf"),
    path("reference/claims/", reference_views.seed_claims, name="claims"),
]
