from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts import permissions, services
from wspolnota.accounts.errors import AccountsError
from wspolnota.accounts.models import PhoneVerification, RoleAssignment, User
from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory


@pytest.mark.django_db
def test_an_administrator_grants_a_district_scoped_role_and_it_is_audit_logged(
    administrator, resident, krakow
):
    assignment = services.role_grant(
        actor=administrator, user=resident, role=Role.DISTRICT_COUNCILLOR, district=krakow[5]
    )
    entry = AuditLogEntry.objects.get(action="accounts.role_granted")
    assert entry.actor == administrator
    assert entry.object_id == str(assignment.pk)
    assert entry.after["role"] == "district_councillor"
    assert permissions.can_act_for_district(resident, krakow[5])
    assert not permissions.can_act_for_district(resident, krakow[6])


@pytest.mark.django_db
def test_role_scope_rules(administrator, resident):
    with pytest.raises(AccountsError, match="dzielnicy"):
        services.role_grant(actor=administrator, user=resident, role=Role.DISTRICT_COUNCILLOR)
    with pytest.raises(AccountsError, match="jednostki"):
        services.role_grant(actor=administrator, user=resident, role=Role.OFFICIAL)
    services.role_grant(
        actor=administrator, user=resident, role=Role.OFFICIAL, city_unit=CityUnitFactory()
    )
    services.role_grant(actor=administrator, user=resident, role=Role.AUDITOR)
    with pytest.raises(AccountsError, match="ma już"):
        services.role_grant(actor=administrator, user=resident, role=Role.AUDITOR)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["resident", "official", "moderator", "auditor", "district_councillor"]
)
def test_only_administrators_grant_roles(request, persona, resident_other_district):
    actor = request.getfixturevalue(persona)
    with pytest.raises(AccountsError):
        services.role_grant(actor=actor, user=resident_other_district, role=Role.AUDITOR)
    assert not RoleAssignment.objects.filter(user=resident_other_district).exists()


@pytest.mark.django_db
def test_revoking_a_role_keeps_the_before_state_in_the_audit_log(administrator, moderator):
    assignment = moderator.role_assignments.get()
    services.role_revoke(actor=administrator, assignment=assignment, reason="koniec kadencji")
    entry = AuditLogEntry.objects.get(action="accounts.role_revoked")
    assert entry.before["role"] == "moderator" and entry.reason == "koniec kadencji"
    assert not permissions.can_moderate(User.objects.get(pk=moderator.pk))


@pytest.mark.django_db
def test_the_role_page_grants_roles_for_administrators_only(client_for, resident):
    admin_client = client_for("administrator")
    response = admin_client.post("/pl/konto/role/", {"email": resident.email, "role": "auditor"})
    assert response.status_code == 302
    assert permissions.can_view_audit_log(User.objects.get(pk=resident.pk))
    assert client_for("official").get("/pl/konto/role/").status_code == 403
    bad = admin_client.post("/pl/konto/role/", {"email": "nobody@example.org", "role": "auditor"})
    assert bad.status_code == 400 and 'value="nobody@example.org"' in bad.content.decode()


@pytest.mark.django_db
def test_my_data_download_holds_everything_but_secrets(client, resident):
    client.force_login(resident)
    response = client.get("/pl/konto/profil/moje-dane.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == resident.email
    assert data["account"]["district"] == str(resident.district)
    assert "password" not in response.content.decode()


@pytest.mark.django_db
def test_deleting_an_account_erases_personal_data_and_explains_what_is_kept(client, official):
    client.force_login(official)
    page = client.get("/pl/konto/profil/usun-konto/").content.decode()
    assert "Co musimy zachować i dlaczego" in page
    wrong = client.post("/pl/konto/profil/usun-konto/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    response = client.post(
        "/pl/konto/profil/usun-konto/", {"password": "correct-horse-battery", "confirm": "on"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=official.pk)
    assert user.email.endswith("@deleted.invalid")
    assert (user.full_name, user.phone, user.district, user.is_active) == ("", "", None, False)
    assert not user.has_usable_password()
    assert AuditLogEntry.objects.filter(action="accounts.account_deleted", actor=user).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_retention_purges_old_codes_and_long_inactive_accounts(resident, administrator, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "sms_codes": 30, "inactive_account": 365}
    old = timezone.now() - timedelta(days=400)
    PhoneVerification.objects.create(
        user=resident, phone="+48600100200", code_hash="x", expires_at=old
    )
    PhoneVerification.objects.update(created_at=old)
    User.objects.filter(pk__in=[resident.pk, administrator.pk]).update(last_login=old)
    result = services.personal_data_purge()
    assert result == {
        "sms_codes": 1,
        "inactive_accounts": 1,
        "voter_rolls": 0,
        "audit_entries": 0,
        "messages": 0,
        "volunteer_agreements": 0,
        "letter_batches": 0,
    }
    assert User.objects.get(pk=resident.pk).email.endswith("@deleted.invalid")
    # people holding a role keep their account: their acts stay attributable
    assert User.objects.get(pk=administrator.pk).is_active
