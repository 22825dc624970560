"""Personal data held by implementation tracking (see ``core.personaldata``)."""

from wspolnota.core.personaldata import DELETE, PersonalData, register

register(
    PersonalData("implementation.Photo", official_fields=("uploaded_by",)),
    PersonalData("implementation.Update", official_fields=("author",)),
    PersonalData("implementation.Follow", user_fields=("user",), erase=DELETE),
)
