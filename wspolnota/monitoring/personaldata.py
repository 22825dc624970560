"""Personal data held by monitoring (see ``core.personaldata``): only the officials who
entered, approved or imported data, acting in their role."""

from wspolnota.core.personaldata import PersonalData, register

register(
    PersonalData("monitoring.ImplementationLink", official_fields=("created_by",)),
    PersonalData("monitoring.Measurement", official_fields=("entered_by", "decided_by")),
    PersonalData("monitoring.PopulationTable", official_fields=("imported_by",)),
    PersonalData("monitoring.Survey", official_fields=("imported_by",)),
    PersonalData("monitoring.ReportEdition", official_fields=("adopted_by",)),
)
