"""Load demo data: advisors, applicants, K and R cases in several stages, with real files.

Idempotent: a second run finds the demo users and changes nothing.
"""

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import services
from cases.models import Applicant, Case, Stage, VersionState, VisaType
from cases.reminders.schedule import local_today
from cases.samples import sample_jpeg, sample_pdf, sample_png
from cases.services import reminders as reminder_services
from cases.services.eligibility import case_assess
from cases.services.qualifications import education_save, employment_save
from cases.services.steps import step_tick
from cases.services.uploads import document_process
from eligibility.models import FieldOfStudy, Institution
from eligibility.services import institutions_import_csv
from portal.errors import TransitionNotAllowed
from portal.models import DEFAULT_FIRM_SLUG, Firm, Role, User

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed for the local demo only
MARKER = "admin@demo.test"


def _firm() -> Firm:
    return Firm.objects.get_or_create(slug=DEFAULT_FIRM_SLUG, defaults={"name": "Default firm"})[0]


def _user(email: str, name: str, role: str, **extra: Any) -> User:
    user = User.objects.create_user(
        email=email, password=DEMO_PASSWORD, full_name=name, role=role, firm=_firm(), **extra
    )
    return user


class Command(BaseCommand):
    help = "Load demo users and cases with generated documents (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even with DEBUG off (its accounts share a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            # The demo admin's password is printed in the README: never on a real server.
            raise CommandError(
                "DEBUG is off: this looks like a real installation, and the demo accounts "
                "(an admin among them) use a published password. Run with --force to load "
                "them anyway."
            )
        if User.objects.filter(email=MARKER).exists():
            self.stdout.write("Demo data already loaded; nothing changed.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"\nDemo logins (password for all: {DEMO_PASSWORD})\n"
            "  admin       admin@demo.test        (Django admin at /admin/)\n"
            "  supervisor  supervisor@demo.test   (sees every case)\n"
            "  advisor     li.wei@demo.test       (advisor of most demo cases)\n"
            "  advisor     sara.khan@demo.test\n"
            "  applicant   maria.garcia@demo.test (English)\n"
            "  applicant   chen.jing@demo.test    (Chinese)\n"
            "Advisors and admins then need a two-step code; in another terminal run:\n"
            "  .venv/bin/python manage.py demo_totp li.wei@demo.test\n"
        )

    def _load(self) -> None:
        admin = _user(
            MARKER,
            "Demo Admin",
            Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            is_platform_admin=True,
        )
        sup = _user("supervisor@demo.test", "Sam Supervisor", Role.ADVISOR, is_supervisor=True)
        li = _user("li.wei@demo.test", "Li Wei", Role.ADVISOR, time_zone="Asia/Shanghai")
        sara = _user("sara.khan@demo.test", "Sara Khan", Role.ADVISOR, time_zone="Europe/London")
        for staff in (admin, sup, li, sara):
            # Staff must pass two-step verification; `manage.py demo_totp EMAIL` prints a code.
            TOTPDevice.objects.create(user=staff, name="Demo authenticator", confirmed=True)
        k = VisaType.objects.get(code="K", firm=_firm())
        r = VisaType.objects.get(code="R", firm=_firm())
        today = timezone.localdate()
        people = [
            ("Maria", "Garcia", "maria.garcia@demo.test", "ES", "en", dt.date(1996, 3, 14)),
            ("Jing", "Chen", "chen.jing@demo.test", "SG", "zh-hans", dt.date(1993, 11, 2)),
            ("Arjun", "Patel", "arjun.patel@demo.test", "IN", "en", dt.date(1990, 7, 21)),
            ("Amara", "Okafor", "amara.okafor@demo.test", "NG", "en", dt.date(1998, 1, 9)),
            ("Hans", "Müller", "hans.mueller@demo.test", "DE", "en", dt.date(1972, 5, 30)),
        ]
        applicants = []
        for given, family, email, country, lang, born in people:
            user = _user(email, f"{given} {family}", Role.APPLICANT, preferred_language=lang)
            applicants.append(
                Applicant.objects.create(
                    firm=_firm(),
                    user=user,
                    given_names=given,
                    family_name=family,
                    email=email,
                    nationality=country,
                    date_of_birth=born,
                    passport_number=f"X{born:%y%m%d}9",
                    passport_expiry=today + dt.timedelta(days=900),
                )
            )
        self._qualifications(applicants)
        plan = [
            (applicants[0], k, li, Stage.DOCUMENTS, 20),
            (applicants[1], k, li, Stage.REVIEW, 35),
            (applicants[2], k, sara, Stage.INTAKE, 2),
            (applicants[3], k, li, Stage.SUBMITTED, 60),
            (applicants[4], r, sara, Stage.ASSESSMENT, 10),
        ]
        for applicant, visa, advisor, stage, age_days in plan:
            case = services.case_open(
                applicant=applicant,
                visa_type=visa,
                advisor=advisor,
                actor=advisor,
                opened_on=today - dt.timedelta(days=age_days),
                intended_entry_date=today + dt.timedelta(days=120),
                target_submission_date=today + dt.timedelta(days=30),
            )
            self._advance(case, stage, advisor)
            if stage in (Stage.DOCUMENTS, Stage.INTAKE):
                # One document due today, so the worker's first sweep (every 5 minutes) sends
                # a reminder to the console email log once it is 09:00 for the applicant.
                due = case.requirements.exclude(status__in=["accepted", "waived"]).first()
                if due is not None:
                    services.requirement_set_due_date(
                        requirement=due, due_date=today, actor=advisor
                    )
            if stage == Stage.DOCUMENTS:
                reminder_services.task_create(
                    case=case,
                    title="Check the translation of the degree certificate",
                    due_date=today + dt.timedelta(days=2),
                    assignee=None,
                    actor=advisor,
                )

    def _qualifications(self, applicants: list[Applicant]) -> None:
        """Degrees and jobs for the eligibility engine, at institutions of the sample list."""
        sample = Path(__file__).resolve().parents[3] / "eligibility/data/institutions_sample.csv"
        with sample.open("rb") as stream:
            institutions_import_csv(stream=stream, actor=None)
        degrees = [  # (ISCED 2011 level, ISCED-F 2013 detailed field, institution, graduated)
            (7, "0533", "Technical University of Munich", dt.date(2021, 7, 15)),  # physics
            (6, "0613", "Peking University", dt.date(2016, 6, 30)),  # software
            (8, "0714", "Tsinghua University", dt.date(2019, 1, 10)),  # electronics
            (6, "0311", "University of Toronto", dt.date(2020, 6, 1)),  # economics: not STEM
            (8, "0531", "Max Planck Society", dt.date(2002, 3, 1)),  # chemistry
        ]
        for applicant, (level, code, institution, graduated) in zip(
            applicants, degrees, strict=True
        ):
            inst = Institution.objects.get(name=institution)
            education_save(
                applicant=applicant,
                actor=applicant.user,  # applicants keep their own history current
                data={
                    "level": level,
                    "field": FieldOfStudy.objects.get(code=code),
                    "institution": inst,
                    "country": str(inst.country),
                    "graduation_date": graduated,
                },
            )
        hans = applicants[4]
        employment_save(
            applicant=hans,
            actor=hans.user,
            data={
                "organisation": "Max Planck Society",
                "role": "Research group leader",
                "field": FieldOfStudy.objects.get(code="0531"),
                "start_date": dt.date(2005, 1, 1),
                "end_date": None,
                "teaching_or_research": True,
                "institution": Institution.objects.get(name="Max Planck Society"),
            },
        )

    def _advance(self, case: Case, stage: str, advisor: User) -> None:
        order = [
            Stage.INTAKE,
            Stage.ASSESSMENT,
            Stage.DOCUMENTS,
            Stage.REVIEW,
            Stage.READY,
            Stage.SUBMITTED,
        ]
        uploader = case.applicant.user
        for step in order[1 : order.index(stage) + 1]:
            if step == Stage.REVIEW:
                self._upload_all(case, uploader, advisor, review=stage != Stage.REVIEW)
            if step == Stage.DOCUMENTS:
                case_assess(case=case, actor=advisor)
            if step == Stage.READY:
                try:
                    services.case_transition(case=case, to=step, actor=advisor)
                except TransitionNotAllowed:
                    services.case_transition(
                        case=case,
                        to=step,
                        actor=advisor,
                        override=True,
                        reason="Demo: the consulate confirmed eligibility by letter.",
                    )
            else:
                if step == Stage.SUBMITTED:
                    self._tick_steps(case, advisor, Stage.READY)
                services.case_transition(case=case, to=step, actor=advisor)
        if stage == Stage.DOCUMENTS:
            self._upload_some(case, uploader, advisor)
        services.message_post(
            case=case,
            author=advisor,
            body="Welcome! Please upload the documents on your checklist.",
        )

    def _tick_steps(self, case: Case, advisor: User, stage: str) -> None:
        """The advisor ticks the required case steps of ``stage`` (form sent, appointment)."""
        for step in case.steps.filter(stage=stage, required=True, done_on__isnull=True):
            step_tick(
                step=step,
                done_on=local_today(timezone.now(), case.time_zone),
                note="Demo: done with the applicant.",
                actor=advisor,
            )

    def _file_for(self, req: Any, name: str) -> tuple[bytes, str]:
        if "application/pdf" in req.accepted_types:
            return sample_pdf(req.name_en, [name, "Demo file"]), f"{req.code}.pdf"
        if "image/jpeg" in req.accepted_types:
            return sample_jpeg(name), f"{req.code}.jpg"
        return sample_png(name), f"{req.code}.png"

    def _upload(self, req: Any, content: bytes, filename: str, uploader: User) -> Any:
        """Upload, then run the worker's step here, so a photo is ready for review at once
        (the queued task finds nothing left to do)."""
        doc = services.document_upload(
            requirement=req, stream=io.BytesIO(content), filename=filename, actor=uploader
        )
        if doc.state == VersionState.PROCESSING:
            document_process(document_id=doc.pk)
            doc.refresh_from_db()
        return doc

    def _upload_all(self, case: Case, uploader: User, advisor: User, *, review: bool) -> None:
        for req in case.requirements.filter(required=True):
            content, filename = self._file_for(req, case.applicant.full_name)
            doc = self._upload(req, content, filename, uploader)
            if review:
                services.document_review(
                    document=doc, decision="accepted", reason="", actor=advisor
                )

    def _upload_some(self, case: Case, uploader: User, advisor: User) -> None:
        reqs = list(case.requirements.all()[:3])
        for i, req in enumerate(reqs):
            content, filename = self._file_for(req, case.applicant.full_name)
            doc = self._upload(req, content, filename, uploader)
            if i == 0:
                services.document_review(
                    document=doc, decision="accepted", reason="", actor=advisor
                )
            elif i == 1:
                services.document_review(
                    document=doc,
                    decision="rejected",
                    actor=advisor,
                    reason="The photo is too dark; please take it again in daylight.",
                )
