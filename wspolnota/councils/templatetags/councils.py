"""``{% load councils %}{% district_council district %}``: the district's council on its page."""

from __future__ import annotations

from typing import Any

from django import template

from wspolnota.councils.selectors import district_council_panel
from wspolnota.territory.models import District

register = template.Library()


@register.inclusion_tag("councils/includes/district_council.html")
def district_council(district: District, heading_level: int = 2) -> dict[str, Any]:
    """The council of a district: current members, next session, latest resolutions."""
    return {
        "panel": district_council_panel(district=district),
        "district": district,
        "heading": f"h{heading_level}",
        "subheading": f"h{min(heading_level + 1, 6)}",
    }
