from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rathaus.core import navigation
from rathaus.core.tenancy import current_authority


def portal(request: HttpRequest) -> dict[str, Any]:
    current_path = request.path
    nav = [
        {
            "label": item.label,
            "url": item.url,
            "current": current_path == item.url
            or (item.url != "/" and current_path.startswith(item.url)),
        }
        for item in navigation.items()
    ]
    return {"authority": current_authority(request), "main_nav": nav}
