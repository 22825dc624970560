from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from wspolnota.accounts.models import PhoneVerification, RoleAssignment, User, normalise_email


def role_list_for(*, user: User) -> QuerySet[RoleAssignment]:
    return user.role_assignments.select_related("district", "city_unit").order_by("role")


def role_assignment_list() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.select_related(
        "user", "district", "city_unit", "granted_by"
    ).order_by("role", "user__email")


def phone_verification_pending(*, user: User) -> PhoneVerification | None:
    return (
        PhoneVerification.objects.filter(
            user=user, confirmed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-id")
        .first()
    )


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email=normalise_email(email)).exists()


def person_find(query: str, *, limit: int = 20) -> list[User]:
    """People a clerk may mean by ``query``: a name, a phone number or a postal address.

    Spelling is forgiven: case, diacritics ("Zolw" finds "Żółw"), "ul.", the order of first
    name and surname, spaces and dashes in numbers. Account holders are found too (a resident
    with an account calling the phone line); deleted people never. Best matches first: all
    words in the name, then the same phone, then the same address.
    """
    import phonenumbers
    from django.db.models import Q

    from wspolnota.accounts.models import normalise_person_name, normalise_street

    text = query.strip()
    if len(text) < 2:
        return []
    people = User.objects.filter(deleted_at__isnull=True, is_active=True)
    q = Q()
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= 6 and len(digits) >= len(text.replace(" ", "").replace("-", "")) - 1:
        try:
            number = phonenumbers.format_number(
                phonenumbers.parse(text, "PL"), phonenumbers.PhoneNumberFormat.E164
            )
        except phonenumbers.NumberParseException:
            number = ""
        if number:
            q |= Q(phone=number) | Q(landline_phone=number)
    words = normalise_person_name(text).split()
    if words:
        name_q = Q()
        for word in words:
            name_q &= Q(search_name__contains=word)
        q |= name_q
        street = normalise_street(text)
        if street:
            q |= Q(search_address__contains=street)
    if not q:
        return []
    return list(people.filter(q).select_related("district").order_by("full_name", "pk")[:limit])


def person_duplicates(
    *,
    full_name: str,
    mobile: str = "",
    landline_phone: str = "",
    street: str = "",
    postcode: str = "",
) -> list[User]:
    """Possible duplicates of a person about to be created: same name, same phone or same
    postal address (normalised)."""
    import phonenumbers
    from django.db.models import Q

    from wspolnota.accounts.models import normalise_person_name, postal_key

    q = Q()
    name = normalise_person_name(full_name)
    if name:
        q |= Q(search_name=name) | Q(search_name=" ".join(reversed(name.split())))
    for raw in (mobile, landline_phone):
        if raw.strip():
            try:
                number = phonenumbers.format_number(
                    phonenumbers.parse(raw, "PL"), phonenumbers.PhoneNumberFormat.E164
                )
            except phonenumbers.NumberParseException:
                continue
            q |= Q(phone=number) | Q(landline_phone=number)
    key = postal_key(street, postcode)
    if key:
        q |= Q(search_address=key)
    if not q:
        return []
    return list(
        User.objects.filter(q, deleted_at__isnull=True, is_active=True).order_by("full_name")[:20]
    )
