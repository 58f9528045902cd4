from django.urls import path

from backpath.web.logins import mfa, views

app_name = "logins"

urlpatterns = [
    path("welcome/<uidb64>/<token>/", views.Welcome.as_view(), name="welcome"),
    path("password/reset/", views.reset_request, name="reset"),
    path("password/reset/sent/", views.reset_sent, name="reset_sent"),
    path("password/reset/<uidb64>/<token>/", views.ResetConfirm.as_view(), name="reset_confirm"),
    path("mfa/", mfa.manage, name="mfa"),
    path("mfa/setup/", mfa.setup, name="mfa_setup"),
    path("mfa/verify/", mfa.verify, name="mfa_verify"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:user_id>/role/", views.staff_role, name="staff_role"),
    path("staff/<int:user_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:user_id>/resend/", views.staff_resend, name="staff_resend"),
    path("staff/<int:user_id>/two-factor/", views.staff_reset_mfa, name="staff_reset_mfa"),
    path("patients/<int:patient_id>/invitation/", views.patient_invite, name="patient_invite"),
    path(
        "patients/<int:patient_id>/invitation/revoke/",
        views.patient_revoke,
        name="patient_revoke",
    ),
]
