"""The hand-written fast paths of the case serializers render exactly what DRF's generic
field-by-field rendering does, so the documented schema stays the truth."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from cases import selectors, services
from cases.api.serializers.cases import CaseDetailSerializer, CaseListSerializer
from cases.models import Stage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("serializer_class", [CaseListSerializer, CaseDetailSerializer])
def test_fast_rendering_equals_drf_rendering(serializer_class, case, advisor, applicant_user):
    services.case_transition(case=case, to=Stage.ON_HOLD, actor=advisor, reason="Waiting")
    for user in (advisor, applicant_user):
        request = APIRequestFactory().get("/")
        request.user = user
        row = selectors.case_list_for_user(user=user).get(pk=case.pk)
        serializer = serializer_class(row, context={"request": request})
        generic = serializers.ModelSerializer.to_representation(serializer, row)
        assert serializer.data == generic


def test_case_without_advisor_renders_null(case, admin_user):
    from cases.models import Case

    Case.objects.filter(pk=case.pk).update(advisor=None)
    row = selectors.case_list_for_user(user=admin_user).get(pk=case.pk)
    serializer = CaseListSerializer(row)
    assert serializer.data["advisor"] is None
    assert serializer.data == serializers.ModelSerializer.to_representation(serializer, row)


def test_web_case_list_pages_with_deferred_join(client_for, advisor):
    from tests.factories import open_case

    cases = [open_case(advisor=advisor) for _ in range(27)]
    client = client_for(advisor)
    first = client.get("/cases/")
    second = client.get("/cases/?page=2")
    assert first.status_code == second.status_code == 200
    shown = [c.pk for c in first.context["page"]] + [c.pk for c in second.context["page"]]
    expected = [c.pk for c in sorted(cases, key=lambda c: (c.opened_on, c.pk), reverse=True)]
    assert shown == expected
    assert all(hasattr(c, "outstanding_count") for c in second.context["page"])


def test_list_rows_from_values_equal_the_serializer(case, advisor, admin_user, api_for):
    from cases.api.serializers.cases import CASE_LIST_VALUES, case_list_row
    from cases.models import Case

    other = __import__("tests.factories", fromlist=["open_case"]).open_case(advisor=advisor)
    Case.objects.filter(pk=other.pk).update(advisor=None)
    qs = selectors.case_list_for_user(user=admin_user)
    for obj in qs:
        values = qs.values(*CASE_LIST_VALUES).get(pk=obj.pk)
        assert case_list_row(values) == CaseListSerializer(obj).data
    listed = api_for(admin_user).get("/api/v1/cases/").json()["results"]
    assert listed == [CaseListSerializer(obj).data for obj in qs]
