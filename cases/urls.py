from django.urls import path, register_converter

from cases.views import (
    applicant,
    confirmations,
    documents,
    passports,
    photos,
    qualifications,
    questionnaire_review,
    questionnaires,
    records,
    reports,
    steps,
)
from cases.views import cases as views


class QualificationKind:
    """``education`` or ``employment`` in qualification URLs."""

    regex = "education|employment"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(QualificationKind, "qkind")

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/export.csv", views.case_list_export, {"fmt": "csv"}, name="list_csv"),
    path("cases/export.xlsx", views.case_list_export, {"fmt": "xlsx"}, name="list_xlsx"),
    path("cases/new/", views.case_open, name="open"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/transition/", views.case_transition, name="transition"),
    path("cases/<int:pk>/advisor/", views.case_assign_advisor, name="assign_advisor"),
    path("cases/<int:pk>/invitation/", views.case_invitation_resend, name="invitation_resend"),
    path("cases/<int:pk>/edit/", records.case_edit, name="case_edit"),
    path("cases/<int:pk>/applicant/edit/", records.applicant_edit, name="applicant_edit"),
    path(
        "cases/<int:pk>/corrections/<int:correction_pk>/",
        records.correction_decision,
        name="correction_decision",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/review/",
        documents.document_review,
        name="document_review",
    ),
    path(
        "cases/<int:pk>/requirements/<int:requirement_pk>/waive/",
        documents.requirement_waive,
        name="requirement_waive",
    ),
    path(
        "cases/<int:pk>/requirements/<int:requirement_pk>/upload/",
        documents.requirement_upload,
        name="upload",
    ),
    path("cases/<int:pk>/upload/", documents.case_upload, name="case_upload"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/access/",
        documents.document_access,
        name="document_access",
    ),
    path("cases/<int:pk>/messages/", views.message_post, name="message_post"),
    path("cases/<int:pk>/steps/<int:step_pk>/tick/", steps.step_tick, name="step_tick"),
    path("cases/<int:pk>/steps/<int:step_pk>/untick/", steps.step_untick, name="step_untick"),
    path(
        "cases/<int:pk>/confirmations/",
        confirmations.case_confirmations,
        name="case_confirmations",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/passport/",
        passports.document_passport,
        name="document_passport",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/passport/apply/",
        passports.document_passport_apply,
        name="document_passport_apply",
    ),
    path("documents/<int:document_pk>/download/", documents.document_download, name="download"),
    path("documents/<int:document_pk>/preview/", documents.document_preview, name="preview"),
    # Photo checks (issue 13)
    path("documents/<int:document_pk>/photo/", photos.photo_check, name="photo_check"),
    path(
        "documents/<int:document_pk>/photo/corrected/",
        photos.photo_corrected,
        name="photo_corrected",
    ),
    path("documents/<int:document_pk>/photo/use/", photos.photo_use, name="photo_use"),
    # Qualifications and eligibility assessments
    path("cases/<int:pk>/assess/", qualifications.case_assess, name="case_assess"),
    path(
        "cases/<int:pk>/qualifications/",
        qualifications.case_qualifications,
        name="case_qualifications",
    ),
    path(
        "cases/<int:pk>/qualifications/<qkind:kind>/<int:item_pk>/",
        qualifications.case_qualification_edit,
        name="case_qualification_edit",
    ),
    path(
        "cases/<int:pk>/qualifications/<qkind:kind>/<int:item_pk>/delete/",
        qualifications.case_qualification_delete,
        name="case_qualification_delete",
    ),
    path("my/qualifications/", qualifications.my_qualifications, name="my_qualifications"),
    path(
        "my/qualifications/<qkind:kind>/<int:item_pk>/",
        qualifications.my_qualification_edit,
        name="my_qualification_edit",
    ),
    path(
        "my/qualifications/<qkind:kind>/<int:item_pk>/delete/",
        qualifications.my_qualification_delete,
        name="my_qualification_delete",
    ),
    # The questionnaire (issue 12): the applicant's pages, the advisor's review, the data sheet
    path(
        "my/cases/<int:pk>/questionnaire/",
        questionnaires.my_questionnaire,
        name="my_questionnaire",
    ),
    path(
        "my/cases/<int:pk>/questionnaire/check/",
        questionnaires.my_questionnaire_check,
        name="my_questionnaire_check",
    ),
    path(
        "my/cases/<int:pk>/questionnaire/<slug:section>/",
        questionnaires.my_questionnaire_section,
        name="my_questionnaire_section",
    ),
    path(
        "cases/<int:pk>/questionnaire/",
        questionnaire_review.questionnaire_review,
        name="questionnaire_review",
    ),
    path(
        "cases/<int:pk>/questionnaire/comment/",
        questionnaire_review.questionnaire_comment,
        name="questionnaire_comment",
    ),
    path(
        "cases/<int:pk>/questionnaire/return/",
        questionnaire_review.questionnaire_return,
        name="questionnaire_return",
    ),
    path(
        "cases/<int:pk>/questionnaire/approve/",
        questionnaire_review.questionnaire_approve,
        name="questionnaire_approve",
    ),
    path(
        "cases/<int:pk>/questionnaire/sheet/",
        questionnaire_review.questionnaire_sheet,
        name="questionnaire_sheet",
    ),
    path(
        "cases/<int:pk>/questionnaire/sheet.pdf",
        questionnaire_review.questionnaire_sheet_pdf,
        name="questionnaire_sheet_pdf",
    ),
    path(
        "cases/<int:pk>/questionnaire/sheet.json",
        questionnaire_review.questionnaire_sheet_json,
        name="questionnaire_sheet_json",
    ),
    path(
        "cases/<int:pk>/questionnaire/sheet.csv",
        questionnaire_review.questionnaire_sheet_csv,
        name="questionnaire_sheet_csv",
    ),
    path("reports/", reports.reports_page, name="reports"),
    path("reports/<slug:report>.csv", reports.report_csv, name="report_csv"),
    path("reports/<slug:report>.xlsx", reports.report_xlsx, name="report_xlsx"),
    path("my/", applicant.my_cases, name="my_cases"),
    path("my/cases/<int:pk>/", applicant.my_case_detail, name="my_detail"),
    path("my/access/", applicant.my_access, name="my_access"),
    path("my/details/", records.my_details, name="my_details"),
    path("my/details/correction/", records.my_correction, name="my_correction"),
    path("my/export/", applicant.my_export, name="my_export"),
]
