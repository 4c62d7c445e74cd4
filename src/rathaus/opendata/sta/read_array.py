"""``$resultFormat=dataArray`` (OGC 18-088 §14.1): a page of Observations as compact arrays,
grouped by their Datastream (or MultiDatastream), one array per observation in the order of
``components`` (``$select``, else the id and every property)."""

from __future__ import annotations

from typing import Any

from rathaus.opendata.sta.entities import ENTITIES
from rathaus.opendata.sta.query import Options
from rathaus.opendata.sta.serialize import property_value


def components(options: Options) -> list[str]:
    entity = ENTITIES["Observations"]
    if options.select is None:
        return ["id", *(prop.name for prop in entity.properties)]
    names = []
    for key in options.select:
        if key == "@iot.id":
            names.append("id")
        elif entity.property(key) is not None:
            names.append(key)
    return names


def data_array(base: str, rows: list[Any], options: Options) -> list[dict[str, Any]]:
    entity = ENTITIES["Observations"]
    names = components(options)
    groups: dict[tuple[str, int], list[list[Any]]] = {}
    for row in rows:
        stream = (
            ("Datastream", row.datastream_id)
            if row.datastream_id
            else ("MultiDatastream", row.multi_datastream_id)
        )
        values: list[Any] = []
        for name in names:
            prop = entity.property(name)
            values.append(row.pk if prop is None else property_value(row, prop))
        groups.setdefault(stream, []).append(values)
    result = []
    for (kind, pk), arrays in groups.items():
        result.append(
            {
                f"{kind}@iot.navigationLink": f"{base}/{kind}s({pk})",
                "components": names,
                "dataArray@iot.count": len(arrays),
                "dataArray": arrays,
            }
        )
    return result
