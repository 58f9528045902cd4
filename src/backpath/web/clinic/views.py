"""The clinician's patient pages: the patient list (open alerts first), the patient record,
and the multi-step intake that ends in the first plan. Views validate, call the domain, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from backpath.engine import assess, make_plan, parse_intake
from backpath.engine.intake_checks import (
    PREGNANCY_AGES,
    contradictions,
    pregnancy_question_applies,
    pregnancy_recorded,
)
from backpath.errors import InvalidInput
from backpath.web import lookups
from backpath.web.accounts.access import staff_required
from backpath.web.alerts.models import Alert
from backpath.web.audit.record import record
from backpath.web.clinic import discharge as closing
from backpath.web.clinic.worklist import STATUSES, Filters, rows_of, worklist
from backpath.web.patients.intake_forms import (
    QUESTIONNAIRE_TITLES,
    STEP_IDS,
    STEP_TITLES,
    STEPS,
    PriorTreatmentFormSet,
    QuestionnaireForm,
    merged,
    offered_questionnaires,
    prior_treatments_data,
)
from backpath.web.patients.intake_summary import summary
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans import versions
from backpath.web.plans.versions import CLOSED


class PatientForm(forms.ModelForm):
    """A patient's identity and contact details; the birth year comes from the date of birth
    when one is given, and the clinic identifier is unique within the clinic."""

    class Meta:
        model = Patient
        fields = [
            "given_name", "family_name", "birth_year", "date_of_birth", "sex", "email", "mobile",
            "clinic_identifier",
        ]  # fmt: skip
        help_texts = {
            "birth_year": "Four digits, e.g. 1978 (or give the date of birth). Patients are 16 "
            "or older.",
            "email": "Where the login invitation and reminders go (optional).",
            "mobile": "Optional.",
        }
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["birth_year"].required = False

    def clean_clinic_identifier(self) -> str:
        value = " ".join(str(self.cleaned_data.get("clinic_identifier") or "").split())
        taken = Patient.objects.filter(clinic=self.clinic, clinic_identifier=value)
        if value and taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "Another patient of this clinic already has this identifier."
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = data.get("date_of_birth")
        year = born.year if born else data.get("birth_year")
        this_year = timezone.localdate().year
        field = "date_of_birth" if born else "birth_year"
        if year is None:
            if "birth_year" not in self.errors and "date_of_birth" not in self.errors:
                self.add_error("birth_year", "Give the birth year or the date of birth.")
        elif not this_year - 120 <= year <= this_year - 16:
            self.add_error(
                field, f"Enter a year from {this_year - 120} to {this_year - 16} (age 16 to 120)."
            )
        else:
            data["birth_year"] = int(year)
        return data


PAGE_SIZE = 50
SEARCH_KEY = "worklist_search"


@staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """The worklist: one page of the clinic's patients, who needs attention first (sorted,
    filtered and cut in the database; ``worklist``).

    A name searched for is posted and kept in the session, never put in an address, where it
    would reach the access logs of every proxy; filters and the page number are in the query.
    """
    if request.method == "POST":
        request.session[SEARCH_KEY] = request.POST.get("q", "").strip()[:100]
        return redirect("patients:list")
    q = str(request.session.get(SEARCH_KEY, ""))
    status = request.GET.get("status", "active")
    filters = Filters(q=q, mine=request.GET.get("mine") == "1",
                      status=status if status in STATUSES else "active")  # type: ignore[arg-type]  # fmt: skip
    today = timezone.localdate()
    record(request, "read", None, detail=f"worklist{' q=' + q if q else ''}")
    alerts = list(Alert.objects.visible_to(request.user).open().select_related("patient")[:100])
    page = Paginator(worklist(request.user, filters, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = "&".join(f"{k}={v}" for k, v in (("mine", "1" if filters.mine else ""),
                                              ("status", filters.status)) if v)  # fmt: skip
    return render(
        request,
        "patients/list.html",
        {"page": page, "rows": rows_of(list(page), today), "filters": filters, "q": q,
         "statuses": STATUSES, "alerts": alerts, "query": query, "today": today,
         "next": request.get_full_path()},
    )  # fmt: skip


@staff_required
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinic=request.user.clinic)  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            patient = form.save(commit=False)
            patient.clinic = request.user.clinic  # type: ignore[union-attr]
            patient.created_by = request.user
            patient.save()
            episode = Episode.objects.create(patient=patient, clinician=request.user)
            Intake.objects.create(episode=episode)
            record(request, "create", patient, patient=patient)
        messages.success(request, f"{patient} was added. Complete the intake step by step.")
        return redirect("patients:intake", episode_id=episode.pk, step=STEP_IDS[0])
    return render(request, "patients/create.html", {"form": form})


@staff_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = lookups.patient_for(request.user, patient_id)
    record(request, "read", patient, patient=patient)
    episodes = patient.episodes.select_related("intake").prefetch_related("plan_versions")
    alerts = Alert.objects.visible_to(request.user).filter(patient=patient)
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "episodes": episodes,
            "alerts": list(alerts.open()),
            "questionnaires": list(patient.questionnaires.select_related("confirmed_by")[:20]),
            "today": timezone.localdate(),
            "acknowledged": list(
                alerts.filter(acknowledged_at__isnull=False)
                .select_related("acknowledged_by")
                .order_by("-acknowledged_at")[:10]
            ),
            "next": request.get_full_path(),
        },
    )


@staff_required
def episode_open(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = lookups.patient_for(request.user, patient_id)
    if request.method != "POST":
        return redirect("patients:detail", patient_id=patient.pk)
    with transaction.atomic():
        closing.close_open_episodes(patient, request.user)
        episode = Episode.objects.create(patient=patient, clinician=request.user)
        Intake.objects.create(episode=episode)
        record(request, "create", episode, patient=patient)
    return redirect("patients:intake", episode_id=episode.pk, step=STEP_IDS[0])


def _intake(episode: Episode) -> Intake:
    intake, _ = Intake.objects.get_or_create(episode=episode)
    return intake


def _context(episode: Episode, intake: Intake, step: str, **extra: Any) -> dict[str, Any]:
    reported = episode.questionnaires.filter(purpose="intake", completed__isnull=False)
    return {"episode": episode, "patient": episode.patient, "intake": intake, "step": step,
            "steps": STEP_TITLES, "done": set(intake.completed_steps),
            "patient_reported": list(reported.select_related("confirmed_by")), **extra}  # fmt: skip


def _next_url(episode: Episode, step: str) -> HttpResponse:
    index = STEP_IDS.index(step)
    if index + 1 < len(STEP_IDS):
        return redirect("patients:intake", episode_id=episode.pk, step=STEP_IDS[index + 1])
    return redirect("patients:intake_review", episode_id=episode.pk)


def _form_options(step: str, episode: Episode, intake: Intake) -> dict[str, Any]:
    """Pregnancy is asked only when it applies, or when one is recorded (to correct it)."""
    if step != "person":
        return {}
    patient = episode.patient
    asks = pregnancy_question_applies(patient.sex, patient.age_on())
    return {"ask_pregnancy": asks or pregnancy_recorded(intake.data)}


@staff_required
def intake_step(request: HttpRequest, episode_id: int, step: str) -> HttpResponse:
    episode = lookups.episode_for(request.user, episode_id)
    if step not in STEP_IDS:
        raise Http404("No such intake step.")
    intake = _intake(episode)
    if request.method == "POST" and episode.closed is not None:
        messages.error(request, CLOSED)
        return redirect("patients:detail", patient_id=episode.patient_id)
    if step == "prior_treatments":
        return _prior_treatments_step(request, episode, intake)
    if step == "questionnaires":
        # The step's own address stands for its first questionnaire: a link to the step lands
        # there, and a form posted to it saves that questionnaire.
        offered = offered_questionnaires()
        if request.method != "POST" and offered:
            return redirect("patients:intake_questionnaire", episode.pk, offered[0])
        return _questionnaire_step(request, episode, intake, offered[0] if offered else None)
    spec = next(s for s in STEPS if s.id == step)
    options = _form_options(step, episode, intake)
    if request.method == "POST":
        form = spec.form(request.POST, **options)
        if form.is_valid():
            _save(request, intake, step, spec.to_data(form.cleaned_data))
            return _next_url(episode, step)
        # Invalid: re-render with what was typed; nothing saved is touched or lost.
    else:
        form = spec.form(initial=spec.initial(intake.data), **options)
        record(request, "read", intake, patient=episode.patient, detail=f"intake step {step}")
    return render(request, "patients/intake_step.html",
                  _context(episode, intake, step, form=form, title=spec.title,
                           pregnancy_ages=PREGNANCY_AGES))  # fmt: skip


@staff_required
def intake_questionnaire(request: HttpRequest, episode_id: int, instrument: str) -> HttpResponse:
    """One questionnaire of the intake's Questionnaires step (only those offered here)."""
    episode = lookups.episode_for(request.user, episode_id)
    if instrument not in offered_questionnaires():
        raise Http404("No such questionnaire in this clinic's intake.")
    intake = _intake(episode)
    if request.method == "POST" and episode.closed is not None:
        messages.error(request, CLOSED)
        return redirect("patients:detail", patient_id=episode.patient_id)
    return _questionnaire_step(request, episode, intake, instrument)


def _questionnaire_step(
    request: HttpRequest, episode: Episode, intake: Intake, instrument: str | None
) -> HttpResponse:
    """Save one questionnaire (leaving the others as they are) and go on to the next one,
    or after the last to the next step. With none offered, the step is a pass-through."""
    offered = offered_questionnaires()
    index = offered.index(instrument) if instrument else 0
    form = None
    if instrument is not None:
        posted = request.POST if request.method == "POST" else None
        initial = QuestionnaireForm.initial_from(instrument, intake.data)
        form = QuestionnaireForm(posted, instrument=instrument, initial=initial)
    if request.method == "POST" and (form is None or form.is_valid()):
        fragment = {instrument: form.answers()} if form is not None and instrument else {}
        _save(request, intake, "questionnaires", {"questionnaires": fragment})
        if index + 1 < len(offered):
            return redirect("patients:intake_questionnaire", episode.pk, offered[index + 1])
        return _next_url(episode, "questionnaires")
    if request.method != "POST":
        record(request, "read", intake, patient=episode.patient,
               detail=f"intake step questionnaires ({instrument or 'none offered'})")  # fmt: skip
    stored = intake.data.get("questionnaires", {})
    subs = [(key, QUESTIONNAIRE_TITLES[key], key in stored) for key in offered]
    if index > 0:
        back = reverse("patients:intake_questionnaire", args=[episode.pk, offered[index - 1]])
    else:
        back = reverse("patients:intake", args=[episode.pk, "red_flags"])
    return render(request, "patients/intake_questionnaire.html", _context(
        episode, intake, "questionnaires", form=form, instrument=instrument,
        title=form.title if form is not None else "Questionnaires", position=index + 1,
        count=len(offered), questionnaires=subs, back=back))  # fmt: skip


def _prior_treatments_step(request: HttpRequest, episode: Episode, intake: Intake) -> HttpResponse:
    if request.method == "POST":
        formset = PriorTreatmentFormSet(request.POST, prefix="prior")
        if formset.is_valid():
            _save(request, intake, "prior_treatments", prior_treatments_data(formset.cleaned_data))
            return _next_url(episode, "prior_treatments")
    else:
        initial = [{**p, "weeks": p["weeks"]} for p in intake.data.get("prior_treatments", [])]
        formset = PriorTreatmentFormSet(initial=initial, prefix="prior")
    return render(request, "patients/intake_prior.html",
                  _context(episode, intake, "prior_treatments", formset=formset,
                           title="Prior treatments"))  # fmt: skip


def _save(request: HttpRequest, intake: Intake, step: str, fragment: dict[str, Any]) -> None:
    intake.data = merged(dict(intake.data), step, fragment)
    intake.completed_steps = sorted(set(intake.completed_steps) | {step}, key=STEP_IDS.index)
    intake.save()
    record(request, "update", intake, patient=intake.episode.patient, detail=f"intake step {step}")


def intake_document(episode: Episode, intake: Intake) -> dict[str, Any]:
    """The intake JSON with the person's age and sex taken from the patient record."""
    patient = episode.patient
    data = {"schema": "backpath.intake/1", **intake.data}
    data["patient"] = {**intake.data.get("patient", {}),
                       "age": patient.age_on(), "sex": patient.sex}  # fmt: skip
    return data


@staff_required
def intake_review(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = lookups.episode_for(request.user, episode_id)
    intake = _intake(episode)
    missing = [title for sid, title in STEP_TITLES if sid not in intake.completed_steps]
    error = None
    if request.method == "POST" and episode.closed is not None:
        messages.error(request, CLOSED)
        return redirect("patients:detail", patient_id=episode.patient_id)
    if request.method == "POST" and not missing:
        document = intake_document(episode, intake)
        try:
            assessment = assess(parse_intake(document))
        except InvalidInput as exc:
            error = str(exc)
        else:
            profile = request.POST.get("profile", "consensus")
            if profile not in ("consensus", "acp", "nice", "who"):
                profile = "consensus"
            plan = make_plan(assessment, profile)  # type: ignore[arg-type]
            with transaction.atomic():
                intake.data = {k: v for k, v in document.items() if k != "schema"}
                intake.completed = timezone.now()
                intake.save()
                version = versions.create_version(
                    episode, plan.to_json_dict(), profile=profile,
                    summary="Generated from the intake.", user=request.user,
                )  # fmt: skip
                record(request, "create", version, patient=episode.patient)
            return redirect("plans:plan", episode_id=episode.pk)
    record(request, "read", intake, patient=episode.patient, detail="intake review")
    document = intake_document(episode, intake)
    titles = dict(STEP_TITLES)
    return render(request, "patients/intake_review.html",
                  _context(episode, intake, "review", missing=missing, error=error,
                           sections=summary(document, episode.patient),
                           contradictions=[{"sentence": c.sentence, "step": c.step,
                                            "step_title": titles[c.step]}
                                           for c in contradictions(document)]))  # fmt: skip
