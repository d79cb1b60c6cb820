from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_open, name="open"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/transition/", views.case_transition, name="transition"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/review/",
        views.document_review,
        name="document_review",
    ),
    path(
        "cases/<int:pk>/requirements/<int:requirement_pk>/waive/",
        views.requirement_waive,
        name="requirement_waive",
    ),
    path(
        "cases/<int:pk>/requirements/<int:requirement_pk>/upload/",
        views.requirement_upload,
        name="upload",
    ),
    path("cases/<int:pk>/upload/", views.case_upload, name="case_upload"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/access/",
        views.document_access,
        name="document_access",
    ),
    path("cases/<int:pk>/messages/", views.message_post, name="message_post"),
    path("documents/<int:document_pk>/download/", views.document_download, name="download"),
    path("my/", views.my_cases, name="my_cases"),
    path("my/cases/<int:pk>/", views.my_case_detail, name="my_detail"),
    path("my/access/", views.my_access, name="my_access"),
    path("my/export/", views.my_export, name="my_export"),
]
