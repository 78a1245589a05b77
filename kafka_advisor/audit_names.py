"""Audit checks on names and values: duplicates, keys of another role, typos, unknown keys, bad types and ranges.

Registered in the checks table (kafka_advisor.audit_checks) in the order they run: each name check claims the
keys it reports, so one key gets one name finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import audit_catalog as cat
from .audit_checks import (
    ACKS,
    ANCHORS,
    DOCS_39,
    LIBRDKAFKA_DOC,
    Ctx,
    Hit,
    check,
    resolved,
)
from .audit_parse import Entry
from .audit_roles import ROLE_LABELS

# --------------------------------------------------------------------------- names and values


@check("duplicate-key", "medium", "A key is set more than once",
       "Keep one line for the key and delete the others.",
       "https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html#load(java.io.Reader)")
def _duplicates(ctx: Ctx) -> Iterator[Hit]:
    seen: dict[str, Entry] = {}
    for e in ctx.parsed.entries:
        if e.key in seen:
            effective = ctx.last[e.key]
            yield Hit(e.line, e.key, f"{e.key} is set again on line {e.line} (first on line {seen[e.key].line}); "
                                     f"the client keeps only the last value, {ctx.show(effective)}.",
                      f"Keep one {e.key} line with the value you mean and delete the others.")
        else:
            seen[e.key] = e


def known(ctx: Ctx, key: str) -> bool:
    """Valid for this role: its own keys, keys its prefixes pass on, SMT and Schema Registry keys."""
    role = ctx.role.role
    if ctx.role.flavour == "librdkafka":
        return cat.librdkafka_known(key, role) or cat.is_schema_registry_key(key)
    scope = cat.scope_keys(cat.ROLE_SCOPES[role])
    if key in scope:
        return True
    if role == "topic" and key in cat.TOPIC_CREATION_KEYS:
        return True
    if role == "streams" and any(key in cat.scope_keys(s) for s in ("producer", "consumer", "admin")):
        return True
    if role in ("producer", "consumer", "streams", "source-connector", "connect-worker") and cat.is_schema_registry_key(key):
        return True
    return _prefixed_known(ctx, key) is True


def _prefixed_known(ctx: Ctx, key: str) -> bool | None:
    """True/False when a prefix rule decides the key, None when no prefix applies."""
    role = ctx.role.role
    for prefix, scope in cat.PREFIXES.get(role, ()):
        if key.startswith(prefix):
            rest = key.removeprefix(prefix)
            if scope is None:
                return True
            known = rest in cat.scope_keys(scope) or (scope == "topic" and rest in ("replication.factor", "partitions"))
            return known or cat.is_schema_registry_key(rest)
    if role in ("source-connector", "sink-connector"):
        m = cat.TRANSFORM_KEY.match(key)
        if m:
            return _smt_known(ctx, m.group(1), m.group(2), m.group(3))
        m = cat.TOPIC_CREATION_KEY.match(key)
        if m and role == "source-connector":
            rest = m.group(2)
            return rest in ("replication.factor", "partitions", "include", "exclude") or rest in cat.scope_keys("topic")
    return None


def _smt_known(ctx: Ctx, kind: str, alias: str, rest: str) -> bool:
    if rest in ("type", "predicate", "negate"):
        return True
    type_entry = ctx.last.get(f"{kind}.{alias}.type")
    if type_entry is None:
        return True  # no type: nothing to check the alias's keys against
    cls = type_entry.value.strip().split("$")[0]
    table = cat.kafka()["transforms" if kind == "transforms" else "predicates"]
    if cls not in table:
        return True  # a third-party SMT (Debezium, Confluent): its keys are its own
    return rest in table[cls]


def _smt_keys(ctx: Ctx, key: str) -> list[str]:
    m = cat.TRANSFORM_KEY.match(key)
    if not m:
        return []
    type_entry = ctx.last.get(f"{m.group(1)}.{m.group(2)}.type")
    if type_entry is None:
        return []
    table = cat.kafka()["transforms" if m.group(1) == "transforms" else "predicates"]
    return [f"{m.group(1)}.{m.group(2)}.{k}" for k in table.get(type_entry.value.strip().split("$")[0], {})]


def _other_role(ctx: Ctx, key: str) -> tuple[str, str | None] | None:
    """(the role whose key this is, the matching key of this role if there is one)."""
    role = ctx.role.role
    if ctx.role.flavour == "librdkafka":
        other = cat.librdkafka_other_role(key, role)
        return (other, None) if other else None
    for other in ("producer", "consumer", "admin", "topic", "streams", "connect-worker", "source-connector", "sink-connector"):
        if other != role and key in cat.scope_keys(cat.ROLE_SCOPES[other]):
            return other, None
    if key in cat.scope_keys("broker"):
        if role == "topic":
            twin = next((k for k, s in cat.scope_keys("topic").items() if s.get("server_default") == key), None)
            return "broker", twin
        return "broker", None
    return None


def _candidates(ctx: Ctx, key: str) -> list[str]:
    role = ctx.role.role
    if ctx.role.flavour == "librdkafka":
        return [k for k in cat.librdkafka_props() if cat.librdkafka_known(k, role)]
    names = list(cat.scope_keys(cat.ROLE_SCOPES[role]))
    if role == "topic":
        names += list(cat.TOPIC_CREATION_KEYS)
    for prefix, scope in cat.PREFIXES.get(role, ()):
        if key.startswith(prefix) and scope is not None:
            names = [prefix + k for k in cat.scope_keys(scope)]
    return names + _smt_keys(ctx, key)


def _consequence(ctx: Ctx, kind: str) -> str:
    """What happens to a key of the wrong name (`unknown`), of another role (`wrong`) or with a bad value (`bad`)."""
    role = ctx.role.role
    if ctx.role.flavour == "librdkafka":
        return {"unknown": "librdkafka refuses to create the client ('No such configuration property')",
                "wrong": "librdkafka ignores it with a warning (CONFWARN)",
                "bad": "librdkafka refuses to create the client (Invalid value)"}[kind]
    if role == "topic":
        return {"unknown": "Kafka rejects the topic config ('Unknown topic config name')",
                "wrong": "Kafka rejects the topic config ('Unknown topic config name')",
                "bad": "Kafka rejects the topic config (InvalidConfigurationException)"}[kind]
    if role in ("source-connector", "sink-connector"):
        return {"unknown": "Connect does not use it (the connector gets it as one of its own keys)",
                "wrong": "Connect does not use it",
                "bad": "Connect rejects the connector config (validation error)"}[kind]
    who = "the worker" if role == "connect-worker" else "the client"
    return {"unknown": f"{who} ignores it and only logs a warning", "wrong": f"{who} ignores it and only logs a warning",
            "bad": f"{who} refuses to start (ConfigException)"}[kind]


def connector_specific(ctx: Ctx, key: str) -> bool:
    """A connector's own key (database.hostname, connection.url): not checked against Kafka's names."""
    if ctx.role.role not in ("source-connector", "sink-connector"):
        return False
    if cat.TRANSFORM_KEY.match(key) or cat.TOPIC_CREATION_KEY.match(key):
        return False
    return not any(key.startswith(p) for p, _ in cat.PREFIXES[ctx.role.role])


@check("wrong-role-key", "medium", "A key that belongs to another kind of config",
       "Move the key to the config it belongs to, or delete it.",
       f"{DOCS_39}#configuration; {LIBRDKAFKA_DOC}")
def _wrong_role(ctx: Ctx) -> Iterator[Hit]:
    for key, e in ctx.last.items():
        if known(ctx, key) or connector_specific(ctx, key):
            continue
        other = _other_role(ctx, key)
        if other is None:
            continue
        ctx.claimed.add(key)
        owner, twin = other
        if owner == "broker":
            what = f"{key} is a broker setting, not a {ctx.label} setting"
            fix = f"Use the topic setting {twin} instead." if twin else f"Move {key} to the broker's server.properties."
        else:
            what = f"{key} is a {ROLE_LABELS.get(owner, owner)} setting; a {ctx.label} does not use it"
            fix = f"Move {key} to the {ROLE_LABELS.get(owner, owner)} config, or delete it."
        yield Hit(e.line, key, f"{what}: {_consequence(ctx, 'wrong')}.", fix)


@check("unknown-key", "medium", "An unknown key that is close to a valid one (a likely typo)",
       "Rename the key to the valid name.",
       f"{DOCS_39}#configuration; {LIBRDKAFKA_DOC}")
def _unknown(ctx: Ctx) -> Iterator[Hit]:
    for key, e in ctx.last.items():
        if key in ctx.claimed or known(ctx, key):
            continue
        cutoff = 0.88 if connector_specific(ctx, key) else 0.8
        near = cat.nearest(key, _candidates(ctx, key), cutoff)
        if near is None:
            continue
        ctx.claimed.add(key)
        yield Hit(e.line, key, f"{key} is not a {ctx.label} setting, so {_consequence(ctx, 'unknown')}; did you mean {near}?",
                  f"Rename {key} to {near}.")


@check("unrecognised-key", "low", "A key no Kafka config of this kind has",
       "Check the name against the client's documentation; delete it if nothing reads it.",
       f"{DOCS_39}#configuration; {LIBRDKAFKA_DOC}")
def _unrecognised(ctx: Ctx) -> Iterator[Hit]:
    for key, e in ctx.last.items():
        if key in ctx.claimed or known(ctx, key) or connector_specific(ctx, key):
            continue
        ctx.claimed.add(key)
        why = ("the Java client hands it to serializers and interceptors and warns when none of them uses it"
               if ctx.role.role in ("producer", "consumer", "admin", "streams") and ctx.java else _consequence(ctx, "unknown"))
        yield Hit(e.line, key, f"{key} is not a Kafka 3.9 {ctx.label} setting: {why}.")


# Valid-values text of the Kafka documentation -> a test. Prose (a class name, "non-empty string") is not checked.
_RANGE = re.compile(r"^\[(-?[\d.]+),\.\.\.(?:,(-?[\d.]+))?\](?: or (-?\d+))?$")
_ENUM = re.compile(r"^(\(case insensitive\) )?\[([^\]]+)\]$")
_INT_BOUNDS = {"int": (-(2**31), 2**31 - 1), "short": (-(2**15), 2**15 - 1), "long": (-(2**63), 2**63 - 1)}
_CLASS = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")


def java_value_problem(spec: cat.Spec, value: str) -> str | None:
    """Why ConfigDef would reject this value, or None (the same parse rules: values are trimmed)."""
    v = value.strip()
    number: float | None = None
    if spec.type in _INT_BOUNDS:
        try:
            number = int(v)
        except ValueError:
            return f"expected a whole number ({spec.type})"
        low, high = _INT_BOUNDS[spec.type]
        if not low <= number <= high:
            return f"expected a {spec.type} between {low:,} and {high:,}"
    elif spec.type == "double":
        try:
            number = float(v)
        except ValueError:
            return "expected a number (double)"
    elif spec.type == "boolean":
        if v.lower() not in ("true", "false"):
            return "expected true or false"
    elif spec.type == "class" and v and not _CLASS.fullmatch(v):
        return "expected a fully qualified Java class name"
    valid = spec.valid.strip()
    m = _RANGE.match(valid)
    if m and number is not None:
        low_s, high_s, alt = m.groups()
        ok = number >= float(low_s) and (high_s is None or number <= float(high_s))
        if not ok and not (alt is not None and number == float(alt)):
            bounds = f"at least {low_s}" if high_s is None else f"between {low_s} and {high_s}"
            return f"expected a value {bounds}" + (f" or {alt}" if alt else "")
        return None
    m = _ENUM.match(valid)
    if m and spec.type in ("string", "list") and "..." not in valid:
        options = [o.strip() for o in m.group(2).split(",")]
        if any(o.startswith("[") or not o or "-IV" in o for o in options):
            return None  # a version list: Kafka also takes its short forms (3.0 for 3.0-IV1)
        items = [i.strip() for i in v.split(",")] if spec.type == "list" else [v]
        fold = (lambda s: s.lower()) if m.group(1) else (lambda s: s)
        allowed = {fold(o) for o in options}
        bad = [i for i in items if fold(i) not in allowed and not (spec.type == "list" and not i)]
        if bad:
            return f"{bad[0]!r} is not one of: {', '.join(options)}"
    return None


def librdkafka_value_problem(prop: dict[str, str], value: str, key: str = "") -> str | None:
    """Why librdkafka would reject this value (its parser: booleans true/false/1/0 and enums in any case)."""
    v = value.strip()
    typ, rng = prop.get("type", ""), prop.get("range", "")
    if key in ACKS and v.lower() == "all":
        return None
    if typ in ("integer", "float"):
        try:
            number = float(v) if typ == "float" else int(v)
        except ValueError:
            return f"expected a number ({typ})"
        m = re.match(r"^(-?[\d.]+) \.\. (-?[\d.]+)$", rng)
        if m and not float(m.group(1)) <= number <= float(m.group(2)):
            return f"expected a value between {m.group(1)} and {m.group(2)}"
    elif typ == "boolean":
        if v.lower() not in ("true", "false", "1", "0"):
            return "expected true or false"
    elif typ in ("enum value", "CSV flags") and rng:
        options = [o.strip() for o in rng.split(",")]
        items = [i.strip() for i in v.split(",")] if typ == "CSV flags" else [v]
        bad = [i for i in items if i and i.lower() not in {o.lower() for o in options}]
        if bad:
            return f"{bad[0]!r} is not one of: {', '.join(options)}"
    return None


@check("bad-value", "high", "A value of the wrong type or out of range",
       "Set a value of the documented type and range.", f"{DOCS_39}#configuration; {LIBRDKAFKA_DOC}")
def _bad_value(ctx: Ctx) -> Iterator[Hit]:
    for key, e in ctx.last.items():
        if not resolved(e.value) or key in ctx.claimed:
            continue
        if ctx.role.flavour == "librdkafka":
            prop = cat.librdkafka_props().get(key)
            problem = librdkafka_value_problem(prop, e.value, key) if prop else None
            consequence = _consequence(ctx, "bad")
            source = LIBRDKAFKA_DOC
        else:
            spec, scope_role = _spec_for(ctx, key)
            problem = java_value_problem(spec, e.value) if spec else None
            consequence = _consequence(ctx, "bad")
            source = f"{DOCS_39}#{ANCHORS.get(scope_role, 'configuration')}_{key}" if spec else None
        if spec_problem := problem:
            ctx.claimed.add(key)
            yield Hit(e.line, key, f"{key}={ctx.show(e)}: {spec_problem}; {consequence}.",
                      f"Set {key} to a valid value ({spec_problem.removeprefix('expected ')}).", source)


def _spec_for(ctx: Ctx, key: str) -> tuple[cat.Spec | None, str]:
    role = ctx.role.role
    spec = cat.spec(cat.ROLE_SCOPES[role], key)
    if spec is not None:
        return spec, role
    if role == "streams":
        for client in ("producer", "consumer", "admin"):
            if (spec := cat.spec(client, key)) is not None:
                return spec, client
    for prefix, scope in cat.PREFIXES.get(role, ()):
        if scope and key.startswith(prefix) and (spec := cat.spec(scope, key.removeprefix(prefix))) is not None:
            return spec, {"producer": "producer", "consumer": "consumer", "admin": "admin", "topic": "topic"}[scope]
    return None, role
