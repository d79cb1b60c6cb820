"""Valid answers to the seeded K questionnaire, section by section, for tests."""

import datetime as dt

from django.utils import timezone

from cases.services import questionnaire_answers as services


def k_answers(family_name: str = "Applicant", given_names: str = "Amy") -> dict[str, dict]:
    future = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    return {
        "personal": {
            "family_name": family_name,
            "given_names": given_names,
            "chinese_name": "艾米",
            "has_other_names": "no",
            "sex": "female",
            "date_of_birth": "1995-05-17",
            "birth_country": "DE",
            "birth_place": "Berlin",
            "marital_status": "single",
            "nationality": "DE",
            "has_former_nationality": "no",
            "national_id": "",
        },
        "passport": {
            "passport_type": "ordinary",
            "passport_country": "DE",
            "passport_number": "C01X00T47",
            "passport_issue_place": "Berlin",
            "passport_issue_date": "2022-01-10",
            "passport_expiry": "2032-01-09",
        },
        "contact": {
            "home_address": "Hauptstraße 1, 10115 Berlin",
            "phone": "+49 30 1234567",
            "email": "amy@example.test",
        },
        "occupation": {
            "current_occupation": "researcher",
            "employers": [{"name": "TU Berlin", "role": "Researcher"}],
        },
        "education": {"schools": [{"institution": "TU Munich", "degree": "Master"}]},
        "family": {"spouse": [], "parents": [], "children": [], "family_in_china": "no"},
        "travel": {
            "purpose": "education_science",
            "host_institution": "Tsinghua University",
            "entry_date": future,
            "entry_port": "Beijing",
            "stay_days": "90",
            "china_addresses": [{"city": "Beijing", "address": "Haidian District 1"}],
            "china_contact": [],
        },
        "previous_visits": {"visited_china": "no", "had_chinese_visa": "no", "visa_refused": "no"},
        "other_countries": {"visited_other": "no"},
        "declarations": {
            "declare_disease": "no",
            "declare_criminal": "no",
            "declare_military": "no",
            "declare_true": "agree",
        },
    }


def fill_k(case, actor, **names):  # type: ignore[no-untyped-def]
    """Answer every section of the K questionnaire through the service."""
    response = None
    for key, data in k_answers(**names).items():
        response = services.questionnaire_section_save(
            case=case, section_key=key, data=data, actor=actor
        )
    return response


def submitted(case, actor):  # type: ignore[no-untyped-def]
    fill_k(case, actor)
    return services.questionnaire_submit(case=case, actor=actor)
