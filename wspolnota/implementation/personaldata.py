"""Personal data held by implementation tracking (see ``core.personaldata``)."""

from wspolnota.core.personaldata import DELETE, PersonalData, register

register(
    PersonalData(
        "implementation.Photo",
        official_fields=("uploaded_by",),
        not_personal={
            "image": "a photo of the works, taken and published by the responsible unit (a "
            "public act) of a place, not of a person",
        },
    ),
    PersonalData("implementation.Update", official_fields=("author",)),
    PersonalData("implementation.Follow", user_fields=("user",), erase=DELETE),
)
