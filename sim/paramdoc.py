"""A table of every parameter: dotted name, default, range, unit and source."""

from __future__ import annotations

from pydantic import BaseModel

from sim.config import SimConfig


def _range(field) -> str:
    lo = hi = None
    lo_op = hi_op = ""
    for m in field.metadata:
        for attr, op in (("ge", ">="), ("gt", ">")):
            if getattr(m, attr, None) is not None:
                lo, lo_op = getattr(m, attr), op
        for attr, op in (("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                hi, hi_op = getattr(m, attr), op
    if lo is None and hi is None:
        return ""
    return " ".join(x for x in (f"{lo_op}{lo}" if lo is not None else "",
                                f"{hi_op}{hi}" if hi is not None else "") if x)


def parameter_rows(model: type[BaseModel] = SimConfig, prefix: str = "",
                   instance: BaseModel | None = None) -> list[dict]:
    """Rows for every leaf field, recursing into sections (lists show their first item)."""
    instance = instance if instance is not None else model()
    rows = []
    for name, field in model.model_fields.items():
        value = getattr(instance, name)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            rows += parameter_rows(type(value), dotted + ".", value)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for item in value:
                rows += parameter_rows(type(item), f"{dotted}.{item.name}.", item)
        else:
            rows.append({"name": dotted, "default": value, "range": _range(field),
                         "doc": field.description or ""})
    return rows
