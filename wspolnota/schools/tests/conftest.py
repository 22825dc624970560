import pytest


@pytest.fixture(autouse=True)
def _education_unit(settings):
    settings.SCHOOLS_EDUCATION_UNIT = "WE"
    settings.SCHOOLS_MIX_BATCH = 5
