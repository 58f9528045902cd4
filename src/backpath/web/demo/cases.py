"""The demo clinic as data: its accounts and twelve patients, one per situation worth showing.

Each case is an intake (``backpath.intake/1`` parts), a baseline disability score and the
course its diary follows. Clinical decisions are not made here: the plan of every case comes
from the engine when the demo is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from backpath import contract

DEMO_CLINIC = "BackPath Demo Clinic"
OTHER_CLINIC = "Riverside Spine Centre"
DEMO_PASSWORD = "backpath-demo"

Trend = Literal["fast", "improving", "slow", "flat"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a backpath.web.accounts.models.Role value
    first_name: str
    last_name: str
    clinic: str
    note: str


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("clinician", "clinician", "Maya", "Chen", DEMO_CLINIC,
                "Dr Maya Chen, clinician: patients, intake, plans, review"),
    DemoAccount("lead", "lead", "Sarah", "Okafor", DEMO_CLINIC,
                "Dr Sarah Okafor, clinic lead: a clinician's view, Staff and the audit trail"),
    DemoAccount("clinician2", "clinician", "Daniel", "Reyes", DEMO_CLINIC,
                "Daniel Reyes, physiotherapist at the same clinic"),
    DemoAccount("riverside", "clinician", "Elena", "Novak", OTHER_CLINIC,
                "Elena Novak, clinician at another clinic: sees none of the demo patients"),
    DemoAccount("patient", "patient", "Helen", "Morris", DEMO_CLINIC,
                "Helen Morris, patient with chronic low back pain: her plan, diary, progress"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoCase:
    """One demo patient.

    ``disability`` is the baseline questionnaire: ``("odi", percent 0-100)`` or
    ``("rmdq", total 0-24)``; the intake and the first diary entry carry the same answers.
    ``trend`` shapes 12 weeks of diary: fast (acute recovery), improving, slow or flat.
    """

    key: str
    given_name: str
    family_name: str
    age: int
    sex: str
    summary: str
    episode: dict[str, Any]
    nrs: int
    startback: tuple[int, ...]
    disability: tuple[Literal["odi", "rmdq"], float]
    trend: Trend
    person: dict[str, Any] = field(default_factory=dict)
    red_flags: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    preferences: dict[str, Any] = field(default_factory=dict)
    prior_treatments: tuple[dict[str, Any], ...] = ()
    published: bool = True
    adverse_event: bool = False
    stop_sign: str = ""
    """A stop rule reported with the painful day of the exercise log (it raises an alert)."""
    login: str | None = None
    created_by: str = "clinician"

    def intake_parts(self) -> dict[str, Any]:
        """The intake without the questionnaire scores of the disability measure or PEG,
        which the builder adds from the same answers it writes to the diary."""
        flags = dict.fromkeys(contract.red_flag_ids(), False)
        flags.update(dict.fromkeys(self.red_flags, True))
        return {
            "patient": {"age": self.age, "sex": self.sex, **self.person},
            "episode": self.episode,
            "pain": {"nrs_now": self.nrs, "nrs_week_average": max(0, self.nrs - 1)},
            "red_flags": flags,
            "questionnaires": {"startback": list(self.startback)},
            "conditions": list(self.conditions),
            "preferences": {"avoid": [], **self.preferences},
            "prior_treatments": [dict(p) for p in self.prior_treatments],
        }


def _episode(weeks: float, cause: str, leg: str = "none", prior: int = 0) -> dict[str, Any]:
    return {"duration_weeks": weeks, "region": "low_back", "leg_pain": leg,
            "suspected_cause": cause, "prior_episodes": prior}  # fmt: skip


LOW_RISK = (0, 0, 1, 0, 0, 0, 0, 0, 1)
MEDIUM_RISK = (1, 1, 0, 1, 0, 0, 1, 0, 2)
HIGH_RISK = (1, 1, 1, 1, 1, 1, 1, 1, 4)

CASES: tuple[DemoCase, ...] = (
    DemoCase("acute", "Liam", "Walsh", 34, "male",
             "Acute non-specific low back pain after lifting, low risk",
             _episode(1.5, "nonspecific"), 7, LOW_RISK, ("rmdq", 12), "fast"),
    DemoCase("acute-strain", "Aisha", "Khan", 29, "female",
             "Acute muscle strain with pain above the knee",
             _episode(2, "muscle_strain", "above_knee"), 6, LOW_RISK, ("odi", 30), "fast",
             created_by="clinician2"),
    DemoCase("subacute-sciatica", "Marco", "Rossi", 41, "male",
             "Subacute sciatica from a herniated disc, medium risk",
             _episode(8, "herniated_disc", "below_knee", 1), 7, MEDIUM_RISK, ("rmdq", 14),
             "improving"),
    DemoCase("chronic", "Helen", "Morris", 52, "female",
             "Chronic non-specific low back pain; has the demo patient login",
             _episode(30, "nonspecific", "above_knee", 2), 6, (1, 0, 1, 0, 1, 1, 0, 1, 2),
             ("odi", 38), "improving", person={"weight_kg": 72, "height_cm": 168},
             preferences={"max_sessions_per_week": 2, "budget": "medium"},
             prior_treatments=({"treatment": "physical_therapy", "weeks": 6,
                                "response": "partial"},),
             login="patient"),
    DemoCase("chronic-high-risk", "David", "Green", 58, "male",
             "Chronic pain at high risk of disability, not responding so far",
             _episode(60, "degenerative_disc", "above_knee", 4), 7, HIGH_RISK, ("odi", 46),
             "flat",
             prior_treatments=({"treatment": "physical_therapy", "weeks": 8, "response": "none"},
                               {"treatment": "nsaids", "weeks": 6, "response": "partial"}),
             stop_sign="nerve_signs_worsening"),
    DemoCase("red-flag-cauda-equina", "Ruth", "Barker", 47, "female",
             "Red flags of cauda equina syndrome: emergency, no plan",
             _episode(0.5, "herniated_disc", "below_knee"), 8, MEDIUM_RISK, ("odi", 60), "flat",
             red_flags=("saddle_anaesthesia", "bladder_dysfunction", "bilateral_leg_symptoms"),
             published=False),
    DemoCase("red-flag-fracture", "Arthur", "Bell", 78, "male",
             "Suspected osteoporotic fracture after a minor fall: urgent referral",
             _episode(1, "unknown"), 8, MEDIUM_RISK, ("rmdq", 18), "flat",
             red_flags=("minor_trauma_with_osteoporosis",), conditions=("osteoporosis",),
             published=False),
    DemoCase("anticoagulated", "Joan", "Fletcher", 67, "female",
             "Chronic pain on anticoagulants: no NSAIDs, needling with care",
             _episode(20, "osteoarthritis"), 5, MEDIUM_RISK, ("odi", 32), "improving",
             conditions=("anticoagulant_therapy",), created_by="clinician2"),
    DemoCase("pregnant", "Sofia", "Martins", 31, "female",
             "Subacute pain in pregnancy: medicines and several devices ruled out",
             _episode(6, "nonspecific"), 5, LOW_RISK, ("rmdq", 9), "improving",
             person={"pregnant": True}, conditions=("pregnancy",)),
    DemoCase("kidney-disease", "George", "Hughes", 71, "male",
             "Chronic spinal stenosis with kidney disease: NSAIDs ruled out",
             _episode(26, "spinal_stenosis", "below_knee", 3), 6, MEDIUM_RISK, ("odi", 40),
             "slow", conditions=("chronic_kidney_disease", "cardiovascular_disease")),
    DemoCase("no-needles-no-medication", "Nadia", "Shah", 44, "female",
             "Prefers no needles and no medication; had soreness after a session",
             _episode(16, "nonspecific"), 5, MEDIUM_RISK, ("odi", 28), "improving",
             preferences={"avoid": ["needles", "medication"]}, adverse_event=True),
    DemoCase("low-budget", "Tom", "Baker", 38, "male",
             "Low budget and at most one clinic session a week",
             _episode(14, "facet_joint", "none", 1), 6, MEDIUM_RISK, ("rmdq", 11), "improving",
             preferences={"budget": "low", "max_sessions_per_week": 1},
             created_by="clinician2"),
)  # fmt: skip
