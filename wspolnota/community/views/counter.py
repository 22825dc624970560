"""At the counter: a clerk acting for a person (issue 17) - signing them up for activities and
events, or recording them as a volunteer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wspolnota.accounts.models import User
from wspolnota.community import selectors, services
from wspolnota.community.forms import (
    OnBehalfForm,
    VolunteerOnBehalfForm,
)
from wspolnota.community.models import RegistrationStatus
from wspolnota.community.views._common import _signed_in
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error


def _person(request: HttpRequest, person_id: int) -> User:
    """The person a clerk acts for; 404 for anyone who may not see them."""
    from wspolnota.accounts.permissions import can_see_person

    person = User.objects.filter(pk=person_id).first()
    if person is None or not can_see_person(request.user, person):
        raise Http404
    return person


def _counter_page(
    request: HttpRequest,
    person: User,
    *,
    volunteer_form: VolunteerOnBehalfForm | None = None,
    volunteer_offer_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    clerk = _signed_in(request)
    choices = selectors.counter_choices(clerk=clerk, at=timezone.now())
    offer_forms = [
        (
            offer,
            volunteer_form
            if volunteer_form is not None and offer.pk == volunteer_offer_id
            else VolunteerOnBehalfForm(auto_id=f"offer{offer.pk}_%s"),
        )
        for offer in choices.offers
    ]
    return render(
        request,
        "community/counter.html",
        {
            "person": person,
            "participation": selectors.participation_of(person=person),
            "choices": choices,
            "channels": OnBehalfForm.base_fields["channel"].choices,  # type: ignore[attr-defined]
            "offer_forms": offer_forms,
        },
        status=status,
    )


@login_required
def counter(request: HttpRequest, person_id: int) -> HttpResponse:
    """What the person takes part in at the places of the clerk's units, and signing them up."""
    return _counter_page(request, _person(request, person_id))


_COUNTER_DONE = {
    "activity": gettext_lazy("Zapisano osobę na zajęcia."),
    "event": gettext_lazy("Zapisano osobę na wydarzenie."),
    "activity_cancel": gettext_lazy("Wypisano osobę z zajęć."),
    "event_cancel": gettext_lazy("Wypisano osobę z wydarzenia."),
    "offer": gettext_lazy("Zapisano zgłoszenie wolontariusza."),
}


@require_POST
@login_required
def counter_act(request: HttpRequest, person_id: int) -> HttpResponse:
    """Sign the person up for (or out of) an activity or an event, or record them as a
    volunteer for an offer; the services check the clerk's unit and the online rules."""
    from wspolnota.core.onbehalf import OnBehalf
    from wspolnota.core.parsing import parse_choice, parse_id

    clerk = _signed_in(request)
    person = _person(request, person_id)
    what = parse_choice(request.POST.get("what"), list(_COUNTER_DONE), field="what")
    target = parse_id(request.POST.get("target"), field="target")
    if what == "offer":
        form: OnBehalfForm = VolunteerOnBehalfForm(request.POST, auto_id=f"offer{target}_%s")
    else:
        form = OnBehalfForm(request.POST)
    if not form.is_valid():
        if what == "offer":
            return _counter_page(
                request,
                person,
                volunteer_form=form,  # type: ignore[arg-type]
                volunteer_offer_id=target,
                status=400,
            )
        messages.error(request, _("Wybierz, jak osoba się zgłosiła."))
        return redirect("community:counter", person_id=person.pk)
    on_behalf = OnBehalf(clerk=clerk, channel=form.cleaned_data["channel"])
    try:
        if what in ("activity", "activity_cancel"):
            activity = selectors.activity_get(pk=target)
            if activity is None:
                raise Http404
            if what == "activity":
                done = services.activity_sign_up(
                    user=person, activity=activity, on_behalf=on_behalf
                )
            else:
                done = services.activity_signup_cancel(
                    user=person, activity=activity, on_behalf=on_behalf
                )
        elif what in ("event", "event_cancel"):
            event = selectors.event_get(pk=target)
            if event is None:
                raise Http404
            if what == "event":
                done = services.event_register(user=person, event=event, on_behalf=on_behalf)
            else:
                done = services.event_registration_cancel(
                    user=person, event=event, on_behalf=on_behalf
                )
        else:
            offer = selectors.offer_get(pk=target)
            if offer is None:
                raise Http404
            done = services.volunteer_record(
                on_behalf=on_behalf,
                person=person,
                offer=offer,
                birth_date=form.cleaned_data["birth_date"],
                message=form.cleaned_data.get("message", ""),
            )
    except DomainError as exc:
        if what == "offer":
            apply_domain_error(form, exc)
            return _counter_page(
                request,
                person,
                volunteer_form=form,  # type: ignore[arg-type]
                volunteer_offer_id=target,
                status=400,
            )
        messages.error(request, str(exc))
    else:
        if getattr(done, "status", "") == RegistrationStatus.WAITLISTED:
            messages.success(
                request,
                _(
                    "Wszystkie miejsca są zajęte: osoba jest na liście rezerwowej. Gdy zwolni "
                    "się miejsce, dostanie je automatycznie i zostanie powiadomiona tak, jak "
                    "wybrała."
                ),
            )
        else:
            messages.success(request, _COUNTER_DONE[what])
    return redirect("community:counter", person_id=person.pk)
