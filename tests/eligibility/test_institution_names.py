"""Institution names in Chinese (issue 11): imported from the CSV's optional ``name_zh``
column, shown on Chinese pages (the qualifications list, the degree form's picker), the English
name otherwise; a bad Chinese name rejects its row with the line and the reason."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from eligibility import services
from eligibility.models import Institution
from tests.factories import InstitutionFactory, add_education

SAMPLE_CSV = (
    Path(__file__).resolve().parents[2] / "eligibility" / "data" / "institutions_sample.csv"
)
HEADER = "name,country,ror_id,kind,recognized,recognition_source"


def _import(text: str):  # type: ignore[no-untyped-def]
    return services.institutions_import_csv(stream=io.BytesIO(text.encode()), actor=None)


@pytest.mark.django_db
def test_the_sample_file_brings_chinese_names():
    with SAMPLE_CSV.open("rb") as fh:
        report = services.institutions_import_csv(stream=fh, actor=None)
    assert report.rejected == []
    tsinghua = Institution.objects.get(name="Tsinghua University")
    assert tsinghua.name_zh == "清华大学"
    assert Institution.objects.get(name="Example Community College").name_zh == ""


@pytest.mark.django_db
def test_the_chinese_name_is_shown_only_on_chinese_pages():
    inst = InstitutionFactory(name="Max Planck Society", name_zh="马克斯·普朗克学会")
    plain = InstitutionFactory(name="Example College")
    with translation.override("zh-hans"):
        assert inst.display_name == "马克斯·普朗克学会"
        assert plain.display_name == "Example College"  # no Chinese name: the name itself
        assert str(inst).startswith("马克斯·普朗克学会")
    with translation.override("en"):
        assert inst.display_name == "Max Planck Society"


@pytest.mark.django_db
def test_a_file_without_the_column_keeps_the_chinese_names():
    _import(f"{HEADER},name_zh\nTsinghua University,CN,,university,yes,List,清华大学\n")
    report = _import(f"{HEADER}\nTsinghua University,CN,,university,yes,Other list\n")
    assert (report.added, report.updated, report.rejected) == (0, 1, [])
    inst = Institution.objects.get(name="Tsinghua University")
    assert (inst.name_zh, inst.recognition_source) == ("清华大学", "Other list")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name_zh", "reason"),
    [
        ("清" * 256, "the Chinese name is longer than 255 characters"),
        ("清华\u200b大学", "the Chinese name contains invisible characters"),
    ],
)
def test_a_bad_chinese_name_rejects_its_row_and_keeps_the_others(name_zh, reason):
    report = _import(
        f"{HEADER},name_zh\n"
        f"Peking University,CN,,university,yes,List,{name_zh}\n"
        "Tsinghua University,CN,,university,yes,List,清华大学\n"
    )
    assert report.rejected == [(2, reason)]
    assert report.added == 1
    assert not Institution.objects.filter(name="Peking University").exists()


@pytest.mark.django_db
def test_a_chinese_applicant_reads_the_institution_in_chinese(
    applicant, applicant_user, client_for
):
    inst = InstitutionFactory(name="Technical University of Munich", name_zh="慕尼黑工业大学")
    add_education(applicant=applicant, institution=inst)
    applicant_user.preferred_language = "zh-hans"
    applicant_user.save(update_fields=["preferred_language"])
    client = client_for(applicant_user)
    page = client.get(reverse("cases:my_qualifications")).content.decode()
    assert "慕尼黑工业大学" in page
    assert "Technical University of Munich" not in page
    applicant_user.preferred_language = "en"
    applicant_user.save(update_fields=["preferred_language"])
    page = client.get(reverse("cases:my_qualifications")).content.decode()
    assert "Technical University of Munich" in page
