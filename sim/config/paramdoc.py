"""A table of every parameter: dotted name, default, range, unit and source."""

from __future__ import annotations

from pydantic import BaseModel

from sim.config.schema import SimConfig


def bounds(field) -> tuple[float | None, str, float | None, str]:
    """A field's (low, ">=" or ">", high, "<=" or "<"); None where unbounded."""
    lo = hi = None
    lo_op = hi_op = ""
    for m in field.metadata:
        for attr, op in (("ge", ">="), ("gt", ">")):
            if getattr(m, attr, None) is not None:
                lo, lo_op = getattr(m, attr), op
        for attr, op in (("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                hi, hi_op = getattr(m, attr), op
    return lo, lo_op, hi, hi_op


def _range(field) -> str:
    lo, lo_op, hi, hi_op = bounds(field)
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
                         "doc": field.description or "", "field": field})
    return rows


def _yaml_value(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value == float("inf"):
        return ".inf"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value != 0 and not 1e-3 <= abs(value) < 1e5:
        mantissa, exponent = f"{value:.6e}".split("e")
        mantissa = mantissa.rstrip("0")
        return f"{mantissa}0e{exponent}" if mantissa.endswith(".") else f"{mantissa}e{exponent}"
    return repr(value)


def default_yaml(config: BaseModel | None = None, indent: int = 0) -> str:
    """The defaults as commented YAML: every value with its unit and source."""
    config = config if config is not None else SimConfig()
    pad = " " * indent
    lines = []
    for name, field in type(config).model_fields.items():
        value = getattr(config, name)
        if isinstance(value, BaseModel):
            lines.append(f"{pad}{name}:")
            lines.append(default_yaml(value, indent + 2))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            lines.append(f"{pad}{name}:")
            for item in value:
                body = default_yaml(item, indent + 4).splitlines()
                lines.append(f"{pad}  - {body[0].strip()}")
                lines.extend(body[1:])
        else:
            doc = (field.description or "").replace("\n", " ")
            rng = _range(field)
            comment = (f"  # {doc}" + (f" Range: {rng}." if rng else "")) if doc else ""
            lines.append(f"{pad}{name}: {_yaml_value(value)}{comment}")
    return "\n".join(lines)
