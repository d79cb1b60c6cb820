"""One canonical form of an email (portal/identity.py): the forms that fold together, the
addresses refused as look-alikes, the unique columns and the data migration that fills them."""

# ruff: noqa: RUF003  (the examples are look-alike characters on purpose)

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cases.models import Applicant
from portal.identity import email_canonical, email_check, email_clean, email_normalize
from portal.identity_migration import fill_canonical
from portal.models import Role, User
from tests.factories import ApplicantFactory, UserFactory, make_firm

# Each of these is amy@example.test typed another way.
SAME_AS_AMY = [
    "amy@example.test",
    "Amy@Example.test",
    "AMY@EXAMPLE.TEST",
    " amy@example.test\t",
    "ａｍｙ@example.test",  # full-width letters
    "ＡＭＹ＠ＥＸＡＭＰＬＥ．ＴＥＳＴ",  # full-width letters, @ and dot
    "amy@example。test",  # ideographic full stop
    "amy@example｡test",  # half-width ideographic full stop
    "a\u200bmy@example.test",  # zero-width space
    "am\u200dy@exam\u200cple.test",  # zero-width joiner and non-joiner
    "\ufeffamy@example.test\u2060",  # byte order mark, word joiner
    "a\u00admy@ex\u00adample.test",  # soft hyphens
    "amy\ufe0f@example.test",  # variation selector
]


@pytest.mark.parametrize("typed", SAME_AS_AMY)
def test_case_compatibility_and_invisible_forms_share_one_canonical_key(typed):
    assert email_canonical(typed) == "amy@example.test"
    email_check(typed)  # none of them is refused
    assert email_clean(typed).lower() == "amy@example.test"


def test_the_stored_form_keeps_the_local_parts_case_and_maps_the_domain():
    assert email_normalize("Wen.Li@Example.TEST") == "Wen.Li@example.test"
    assert email_normalize("Ｗｅｎ@ＢÜＣＨＥＲ．example") == "Wen@bücher.example"
    assert email_canonical("Wen@BÜCHER.example") == "wen@xn--bcher-kva.example"
    # The A-label and the U-label of one domain are one address.
    assert email_canonical("wen@xn--bcher-kva.example") == email_canonical("wen@bücher.example")


def test_case_folding_is_full_unicode_folding_not_lower_case():
    assert email_canonical("STRASSE@example.test") == email_canonical("straße@example.test")
    assert email_canonical("ǅemal@example.test") == email_canonical("ǆemal@example.test")
    assert email_canonical("ﬁnn@example.test") == "finn@example.test"  # ligature (NFKC)


@pytest.mark.parametrize(
    "typed",
    [
        "amy@exаmple.test",  # Cyrillic а in a Latin domain
        "amy@examp\u04cfe.test",  # Cyrillic palochka for l
        "amy@gοogle.com",  # Greek omicron
        "amy@example.tеst",  # Cyrillic е in the top-level domain
        "аmy@example.test",  # Cyrillic а in the local part
    ],
)
def test_mixed_alphabets_are_refused_with_a_message(typed):
    with pytest.raises(ValidationError) as refused:
        email_clean(typed)
    assert refused.value.code == "email_lookalike"
    assert "different alphabets" in refused.value.messages[0]
    # ... even though its key differs from the address it imitates.
    assert email_canonical(typed) != "amy@example.test"


@pytest.mark.parametrize(
    ("typed", "reads_as"),
    [("amy@раураӏ.com", "paypai"), ("amy@аррӏе.com", "appie"), ("amy@ехрс.com", "expc")],
)
def test_a_domain_whose_letters_all_imitate_plain_ones_is_refused(typed, reads_as):
    with pytest.raises(ValidationError) as refused:
        email_clean(typed)
    assert refused.value.code == "email_lookalike"
    assert reads_as in refused.value.messages[0]


@pytest.mark.parametrize(
    "typed",
    [
        "wen@bücher.example",
        "ivan@пример.рф",  # one script, and not every letter imitates a Latin one
        "kenji@日本語かな.jp",  # Han with Hiragana (UTS #39 highly restrictive)
        "li@例子.广告",
        "nikos@παράδειγμα.gr",
    ],
)
def test_international_domains_in_one_script_are_accepted(typed):
    assert email_clean(typed) == email_normalize(typed)


def test_a_domain_idna_refuses_is_a_message_not_an_error():
    with pytest.raises(ValidationError) as refused:
        email_clean("amy@\u0301example.test")  # a combining accent cannot start a label
    assert refused.value.code == "email_domain"
    with pytest.raises(ValidationError):
        email_clean("amy@" + "ü" * 70 + ".test")  # a label longer than 63 octets


@pytest.mark.parametrize("junk", ["", "@", "@@", "amy", "\x00@\x00", "a@" + "é" * 5000, "@."])
def test_the_canonical_form_of_anything_is_computed_without_raising(junk):
    assert isinstance(email_canonical(junk), str)
    assert isinstance(email_normalize(junk), str)


# --- the unique columns -----------------------------------------------------------------------


@pytest.mark.django_db
def test_two_accounts_cannot_share_a_canonical_email(firm):
    User.objects.create_user(email="amy@example.test", firm=firm)
    for typed in ("Amy@Example.test", "ａｍｙ＠example．test", "a\u200bmy@example.test"):
        with pytest.raises(ValidationError) as refused:
            User.objects.create_user(email=typed, firm=firm)
        assert "already exists" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="AMY@example.test")  # written without validation: the database
    assert User.objects.filter(email_canonical="amy@example.test").count() == 1


@pytest.mark.django_db
def test_applicants_are_unique_by_canonical_email_within_a_firm_only(firm):
    second = make_firm()
    ApplicantFactory(email="nina@example.test", user=None)
    ApplicantFactory(email="NINA@example.test", user=None, firm=second)  # another firm: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicantFactory(email="ｎｉｎａ@example.test", user=None)
    assert Applicant.objects.filter(email_canonical="nina@example.test").count() == 2


@pytest.mark.django_db
def test_every_write_fills_the_canonical_column_bulk_create_too(firm):
    one = UserFactory(email="One@Example.test")
    assert one.email_canonical == "one@example.test"
    User.objects.filter(pk=one.pk).update(email_canonical="stale")
    one.refresh_from_db()
    one.save()
    assert User.objects.get(pk=one.pk).email_canonical == "one@example.test"
    User.objects.bulk_create([User(email="Two@Example.test", firm=firm, role=Role.ADVISOR)])
    assert User.objects.get(email="Two@Example.test").email_canonical == "two@example.test"


# --- the data migration -----------------------------------------------------------------------


def _without_constraint(model, name):  # type: ignore[no-untyped-def]
    """Drop a unique constraint inside the test's transaction (rolled back at its end), to
    build the duplicates that rows saved before the canonical column could hold."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    with connection.schema_editor() as editor:
        editor.remove_constraint(model, constraint)
    return constraint


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_migration_fills_keys_keeps_the_oldest_duplicate_and_can_run_again(firm, caplog):
    constraint = _without_constraint(User, "user_email_canonical_unique")
    old = UserFactory(email="amy@example.test")
    twin = UserFactory(email="other@example.test")
    third = UserFactory(email="zed@example.test")
    # As saved before the canonical form existed: a second spelling and no keys at all.
    User.objects.filter(pk=twin.pk).update(email="Amy@Example.test")
    User.objects.update(email_canonical="")

    assert fill_canonical(User) == [twin.pk]
    keys = dict(User.objects.values_list("pk", "email_canonical"))
    assert keys[old.pk] == "amy@example.test"
    assert keys[twin.pk] == f"amy@example.test#duplicate-{twin.pk}"
    assert keys[third.pk] == "zed@example.test"
    assert str(twin.pk) in caplog.text
    # Nothing else changed: both keep their address and stay active.
    assert User.objects.get(pk=twin.pk).email == "Amy@Example.test"
    assert User.objects.get(pk=twin.pk).is_active

    assert fill_canonical(User) == [twin.pk]  # idempotent
    assert dict(User.objects.values_list("pk", "email_canonical")) == keys
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the factories' deferred FK checks
    with connection.schema_editor() as editor:
        editor.add_constraint(User, constraint)  # the keys are unique now
    # Login and reset find the oldest account.
    assert User.objects.get_by_natural_key("AMY@example.test") == old


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_applicant_migration_marks_duplicates_per_firm(firm):
    _without_constraint(Applicant, "applicant_firm_email_canonical_unique")
    second = make_firm()
    first = ApplicantFactory(email="nina@example.test", user=None)
    dup = ApplicantFactory(email="NINA@example.test", user=None)
    elsewhere = ApplicantFactory(email="Nina@example.test", user=None, firm=second)
    Applicant.objects.update(email_canonical="")
    assert fill_canonical(Applicant, group_by="firm_id") == [dup.pk]
    keys = dict(Applicant.objects.values_list("pk", "email_canonical"))
    assert keys[first.pk] == keys[elsewhere.pk] == "nina@example.test"
    assert keys[dup.pk].endswith(f"#duplicate-{dup.pk}")
