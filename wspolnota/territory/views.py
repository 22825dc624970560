from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wspolnota.territory import selectors


def district_list(request: HttpRequest) -> HttpResponse:
    city = selectors.default_city()
    districts = list(selectors.district_list(city=city))
    return render(
        request,
        "territory/district_list.html",
        {
            "city": city,
            "districts": districts,
            "svg_map": selectors.district_svg_map(districts=districts),
            "total_population": sum(d.population for d in districts),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


def district_detail(request: HttpRequest, number: int) -> HttpResponse:
    district = selectors.district_get(number=number)
    if district is None:
        raise Http404
    return render(
        request,
        "territory/district_detail.html",
        {
            "district": district,
            "svg_map": selectors.district_svg_map(
                districts=[district], width=480, tolerance=0.0001
            ),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )
