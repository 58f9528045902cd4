from django.urls import path

from backpath.web.plans import item_views, program_views, reference_views, views

app_name = "plans"

urlpatterns = [
    path("episode/<int:episode_id>/", views.plan_page, name="plan"),
    path("episode/<int:episode_id>/evidence/", views.evidence_page, name="evidence"),
    path("episode/<int:episode_id>/program/", program_views.program_page, name="program"),
    path("episode/<int:episode_id>/history/", views.history, name="history"),
    path("episode/<int:episode_id>/publish/", views.publish, name="publish"),
    path("episode/<int:episode_id>/draft/save/", item_views.save_draft, name="save_draft"),
    path("episode/<int:episode_id>/draft/discard/", item_views.discard_draft, name="discard_draft"),
    path(
        "episode/<int:episode_id>/items/<slug:treatment>/", item_views.item_edit, name="item_edit"
    ),
    path(
        "episode/<int:episode_id>/items/<slug:treatment>/accept/",
        item_views.accept_item,
        name="accept",
    ),
    path(
        "episode/<int:episode_id>/items/<slug:treatment>/drop/", item_views.drop_item, name="drop"
    ),
    path("episode/<int:episode_id>/items/<slug:treatment>/add/", item_views.add_item, name="add"),
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
