"""Install the case steps of the K and R visa types of every firm, and the reminder rules of
due steps (issue 16).

Idempotent: a step whose code a visa type already has is left alone (admins' edits survive a
re-run), and rules are found by name. ``cases/services/firms.py`` calls ``install_for`` to give
each new firm the same steps.

What happens between "ready" and "decided" at a Chinese Visa Application Service Center:
the online application form (COVA) is filled in and submitted, an appointment is booked, the
applicant hands in the application and gives fingerprints (biometrics), pays the fee (at
submission or at collection, by centre), and collects the passport. For the R visa the host
employer first requests the Confirmation Letter for High-Level Foreign Talents from the
authorities and passes it on (Foreign Talent Work Permit rules, Class A).
"""

from django.db import migrations

# code, position, stage, name_en, name_zh, help_en, help_zh, assignee, visible, required,
# due offset in days, counted from (code of an earlier step; None: the stage's start)
K_STEPS = [
    (
        "online-form", 10, "ready",
        "Submit the online visa application form (COVA)",
        "提交在线签证申请表（COVA）",
        "Fill in the China Online Visa Application form, check it with your advisor, submit it "
        "and print the confirmation page.",
        "填写中国签证在线申请表，与顾问核对后提交，并打印确认页。",
        "applicant", True, True, 5, None,
    ),
    (
        "visa-centre-appointment", 20, "ready",
        "Book your visa centre appointment",
        "预约签证中心递交时间",
        "Book a time at the Chinese Visa Application Service Center to hand in your "
        "application and give your fingerprints.",
        "在中国签证申请服务中心预约递交申请和采集指纹的时间。",
        "applicant", True, True, 3, "online-form",
    ),
    (
        "biometrics", 30, "submitted",
        "Give your fingerprints at the visa centre",
        "在签证中心采集指纹",
        "Fingerprints are taken at the visa centre when you hand in the application.",
        "递交申请时在签证中心采集指纹。",
        "applicant", True, False, None, None,
    ),
    (
        "visa-fee", 40, "submitted",
        "Pay the visa fee",
        "缴纳签证费",
        "Some visa centres take the fee when you hand in the application, others when you "
        "collect your passport.",
        "有的签证中心在递交申请时收费，有的在领取护照时收费。",
        "applicant", True, False, 7, None,
    ),
    (
        "passport-collected", 50, "decided",
        "Collect your passport",
        "领取护照",
        "Collect your passport at the visa centre and check the visa in it.",
        "到签证中心领取护照，并核对签证内容。",
        "applicant", True, True, 14, None,
    ),
]

R_STEPS = [
    (
        "letter-requested", 1, "documents",
        "Employer requests the Confirmation Letter for High-Level Foreign Talents",
        "聘用单位申请外国高层次人才确认函",
        "Your host employer applies for the letter to the authorities.",
        "由聘用单位向主管部门申请确认函。",
        "employer", True, False, 7, None,
    ),
    (
        "letter-received", 2, "documents",
        "Confirmation Letter received from the employer",
        "已收到聘用单位转交的确认函",
        "The employer has passed the Confirmation Letter on to you or your advisor.",
        "聘用单位已将确认函转交给您或您的顾问。",
        "employer", True, True, 30, "letter-requested",
    ),
    *K_STEPS,
]

STEPS = {"K": K_STEPS, "R": R_STEPS}

RULES = [
    # name, audience, channel, offsets, optional
    ("Case step due – applicant email", "applicant", "email", [3, 0, -2], True),
    ("Case step due – advisor in-app", "advisor", "in_app", [0, -1], True),
]


def install_for(VisaType, StepTemplate, **firm):  # type: ignore[no-untyped-def]
    """Give the K and R visa types (of ``firm=...`` when given, else of every firm) the steps
    they lack, then link each to the step it is counted from."""
    for visa_type in VisaType.objects.filter(code__in=STEPS, **firm):
        created = {}
        for spec in STEPS[visa_type.code]:
            (code, position, stage, name_en, name_zh, help_en, help_zh, assignee, visible,
             required, offset, _after) = spec
            template, made = StepTemplate.objects.get_or_create(
                visa_type=visa_type,
                code=code,
                defaults={
                    "firm_id": visa_type.firm_id,
                    "position": position,
                    "stage": stage,
                    "name_en": name_en,
                    "name_zh": name_zh,
                    "help_en": help_en,
                    "help_zh": help_zh,
                    "assignee": assignee,
                    "visible_to_applicant": visible,
                    "required": required,
                    "due_offset_days": offset,
                },
            )
            if made:
                created[code] = template
        for spec in STEPS[visa_type.code]:
            code, after = spec[0], spec[-1]
            if code in created and after:
                anchor = StepTemplate.objects.filter(visa_type=visa_type, code=after).first()
                if anchor is not None:
                    StepTemplate.objects.filter(pk=created[code].pk).update(due_after=anchor)


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_for(apps.get_model("cases", "VisaType"), apps.get_model("cases", "StepTemplate"))
    ReminderRule = apps.get_model("cases", "ReminderRule")
    for name, audience, channel, offsets, optional in RULES:
        ReminderRule.objects.get_or_create(
            name=name,
            defaults={
                "kind": "step_due",
                "audience": audience,
                "channel": channel,
                "offsets": offsets,
                "optional": optional,
                "active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_case_steps")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
