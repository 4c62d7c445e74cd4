from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rathaus.core import navigation
from rathaus.core.tenancy import current_authority


def portal(request: HttpRequest) -> dict[str, Any]:
    current_path = request.path
    nav = []
    for item in navigation.items():
        url = item.url  # one reverse() per entry and request, not three
        current = current_path == url or (url != "/" and current_path.startswith(url))
        nav.append({"label": item.label, "url": url, "current": current})
    return {"authority": current_authority(request), "main_nav": nav}
