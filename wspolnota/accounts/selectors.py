from __future__ import annotations

from django.db.models import Q, QuerySet
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


# How many people a counter search may list: more means the details do not identify the caller.
COUNTER_SEARCH_LIMIT = 5


def _e164(raw: str) -> str:
    import phonenumbers

    try:
        return phonenumbers.format_number(
            phonenumbers.parse(raw, "PL"), phonenumbers.PhoneNumberFormat.E164
        )
    except phonenumbers.NumberParseException:
        return ""


def _whole_word(field: str, word: str) -> Q:
    return (
        Q(**{field: word})
        | Q(**{f"{field}__startswith": f"{word} "})
        | Q(**{f"{field}__endswith": f" {word}"})
        | Q(**{f"{field}__contains": f" {word} "})
    )


def person_identify(
    *,
    surname: str,
    phone: str = "",
    postcode: str = "",
    street: str = "",
    email: str = "",
    limit: int = COUNTER_SEARCH_LIMIT,
) -> tuple[list[User], bool]:
    """The people a caller may be: the whole surname *and* every other detail given must match.

    Spelling is forgiven (case, diacritics, "ul.", spaces and dashes in numbers), fragments
    are not: "Żółk" is no surname. At least one detail besides the surname is required (the
    form checks it; without one this returns nobody). Returns ``(people, too_many)``: more than
    ``limit`` matches list nobody, and the clerk asks for another detail. Deleted and
    deactivated people are never found. See docs/counter.md.
    """
    from wspolnota.accounts.models import (
        normalise_person_name,
        normalise_postcode,
        normalise_street,
    )

    words = normalise_person_name(surname).split()
    if not words:
        return [], False
    q = Q()
    for word in words:
        q &= _whole_word("search_name", word)
    details = 0
    if phone.strip():
        number = _e164(phone)
        if not number:
            return [], False
        q &= Q(phone=number) | Q(landline_phone=number)
        details += 1
    if postcode.strip():
        q &= Q(search_address__startswith=f"{normalise_postcode(postcode)} ")
        details += 1
    if street.strip():
        key = normalise_street(street)
        if not key:
            return [], False
        q &= Q(search_address__endswith=f" {key}")
        details += 1
    if email.strip():
        q &= Q(email=normalise_email(email))
        details += 1
    if not details:
        return [], False
    found = list(
        User.objects.filter(q, deleted_at__isnull=True, is_active=True)
        .select_related("district")
        .order_by("full_name", "pk")[: limit + 1]
    )
    if len(found) > limit:
        return [], True
    return found, False


def person_duplicates(
    *,
    full_name: str,
    mobile: str = "",
    landline_phone: str = "",
    street: str = "",
    postcode: str = "",
) -> list[User]:
    """Possible duplicates of a person about to be created: the same phone, the same postal
    address (normalised), or the same name *at the same postcode*. A name alone lists nobody:
    it does not identify anyone (see ``person_identify``)."""
    from wspolnota.accounts.models import normalise_person_name, normalise_postcode, postal_key

    q = Q()
    name = normalise_person_name(full_name)
    code = normalise_postcode(postcode) if postcode.strip() else ""
    if name and code:
        q |= (Q(search_name=name) | Q(search_name=" ".join(reversed(name.split())))) & Q(
            search_address__startswith=f"{code} "
        )
    for raw in (mobile, landline_phone):
        if raw.strip():
            number = _e164(raw)
            if number:
                q |= Q(phone=number) | Q(landline_phone=number)
    key = postal_key(street, postcode)
    if key:
        q |= Q(search_address=key)
    if not q:
        return []
    return list(
        User.objects.filter(q, deleted_at__isnull=True, is_active=True).order_by("full_name")[
            :COUNTER_SEARCH_LIMIT
        ]
    )
