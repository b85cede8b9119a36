#!/usr/bin/env python3
"""Semantic differences between two OpenAPI 3.x documents.

Usage: scripts/openapi-compare.py OLD.json NEW.json (server/tests/openapi.rs runs it)

Every $ref (components.schemas, .responses, .parameters, .requestBodies, .headers) is resolved,
and schemas are brought to one form before comparing:
  - nullable: `type: [X, "null"]`, `oneOf/anyOf: [{type: null}, X]`, `nullable: true` and a null
    in `enum` are all "X, nullable";
  - `const: v` is `enum: [v]`; an `enum` without `type` gets the types of its values;
  - a oneOf/anyOf/allOf of one schema is that schema; an allOf of plain objects (none with
    additionalProperties) is their merged object;
  - `items: {}` is no `items`; `required` and `enum` are sets; a missing `required` is empty.

Differences are of two kinds:
  - contract: paths, methods, parameters (name, in, required, schema), request bodies (required,
    content types, schemas), response status codes, content types, headers and schemas, security
    per operation, security schemes, and schema constraints (type, format, enum, required,
    properties, items, lengths, pattern, bounds, additionalProperties, and any keyword not known
    to be documentation);
  - documentation: description, summary, title, tags, operationId, example(s), default,
    deprecated, readOnly/writeOnly, info, and which components exist by name.
Exit status: 1 when there is a contract difference, 0 otherwise (2 on bad usage).
"""
import json
import sys

SCHEMA_REF = "#/components/schemas/"
# Keys a use of a component may add around it (the rest come from the component itself).
USAGE_KEYS = {"nullable", "description", "default", "title", "example", "examples", "deprecated",
              "readOnly", "writeOnly"}

# Schema keywords that document rather than constrain.
DOC_KEYS = {
    "description", "summary", "title", "example", "examples", "default", "deprecated",
    "readOnly", "writeOnly", "xml", "externalDocs", "$comment", "$schema", "discriminator",
}
# Operation / parameter / body / response keys that are documentation.
OP_DOC_KEYS = {"summary", "description", "tags", "operationId", "externalDocs", "deprecated", "servers"}
PARAM_DOC_KEYS = {"description", "example", "examples", "deprecated", "style", "explode", "allowReserved"}
RESPONSE_DOC_KEYS = {"description", "links"}


class Doc:
    def __init__(self, data):
        self.data = data

    def deref(self, node, stack=()):
        """Follows `$ref`s from `node`; siblings of a `$ref` override the target's keys."""
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise SystemExit(f"external $ref not supported: {ref}")
            if ref in stack:
                return {"$recursive": ref}, stack
            target = self.data
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[part]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            stack = stack + (ref,)
            node = {**target, **siblings} if siblings else target
        return node, stack

    # ---- schemas ----

    def schema(self, node, stack=()):
        """The normal form of a schema (a dict), docs kept under their own keys. A schema
        reached through `#/components/schemas/NAME` carries `$name` (for grouping the report;
        never compared)."""
        if node is True or node is None:
            return {}
        if node is False:
            return {"not": {}}
        name = None
        if isinstance(node, dict) and str(node.get("$ref", "")).startswith(SCHEMA_REF):
            name = node["$ref"][len(SCHEMA_REF):]
        node, stack = self.deref(node, stack)
        if "$recursive" in node:
            return node
        s = dict(node)
        s.pop("$name", None)
        nullable = bool(s.pop("nullable", False))

        if "const" in s:
            s["enum"] = [s.pop("const")]

        # oneOf/anyOf: drop null members (nullable), normalise members.
        for key in ("oneOf", "anyOf"):
            if key in s:
                members = []
                for m in s.pop(key):
                    n = self.schema(m, stack)
                    if n.get("type") == ["null"] and len(n) == 1:
                        nullable = True
                        continue
                    if n.get("type") == ["null"] and set(n) <= {"type", "nullable"} | DOC_KEYS:
                        nullable = True
                        continue
                    members.append(n)
                if len(members) == 1:
                    s = merge(s, members[0])
                    nullable = nullable or members[0].get("nullable", False)
                    s.pop("nullable", None)
                elif members:
                    s[key] = members

        if "allOf" in s:
            members = [self.schema(m, stack) for m in s.pop("allOf")]
            if len(members) == 1:
                nullable = nullable or members[0].pop("nullable", False)
                s = merge(s, members[0])
            elif all(is_plain_object(m) for m in members):
                merged = {}
                for m in members:
                    merged = merge_objects(merged, m)
                s = merge(s, merged)
            else:
                s["allOf"] = members

        # type: list, null out.
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if "null" in types and len(types) > 1:
                nullable = True
                types = [t for t in types if t != "null"]
            s["type"] = sorted(set(types))
        if "enum" in s:
            values = s["enum"]
            if None in values:
                nullable = True
                values = [v for v in values if v is not None]
            if "type" not in s:
                s["type"] = sorted({json_type(v) for v in values})
            s["enum"] = sorted(values, key=lambda v: json.dumps(v, sort_keys=True))
        if s.get("type") == ["null"]:
            # a schema that is only null
            pass

        if "properties" in s:
            s["properties"] = {k: self.schema(v, stack) for k, v in s["properties"].items()}
        if "required" in s or "properties" in s or s.get("type") == ["object"]:
            s["required"] = sorted(set(s.get("required", [])))
        if "items" in s:
            if s["items"] in ({}, True):
                del s["items"]
            else:
                s["items"] = self.schema(s["items"], stack)
                if s["items"] == {}:
                    del s["items"]
        if "prefixItems" in s:
            s["prefixItems"] = [self.schema(v, stack) for v in s["prefixItems"]]
        if isinstance(s.get("additionalProperties"), dict):
            s["additionalProperties"] = self.schema(s["additionalProperties"], stack)
        if "propertyNames" in s:
            s["propertyNames"] = self.schema(s["propertyNames"], stack)
        if "not" in s:
            s["not"] = self.schema(s["not"], stack)
        for key in ("oneOf", "anyOf"):
            if key in s:
                s[key] = sorted(s[key], key=canonical)
        if nullable:
            s["nullable"] = True
        if name is not None:
            s["$name"] = name
        return s

    # ---- operations ----

    def parameters(self, raw):
        out = {}
        for p in raw or []:
            p, stack = self.deref(p)
            where = p.get("in")
            name = p.get("name", "")
            key = f"{where}:{name.lower() if where == 'header' else name}"
            entry = {
                "required": bool(p.get("required", where == "path")),
                "schema": self.schema(p["schema"], stack) if "schema" in p else None,
            }
            if "content" in p:
                entry["content"] = self.content(p["content"], stack)
            for k in p:
                if k not in {"name", "in", "required", "schema", "content"}:
                    entry[k] = p[k]
            out[key] = entry
        return out

    def content(self, raw, stack=()):
        out = {}
        for media, c in (raw or {}).items():
            entry = {"schema": self.schema(c["schema"], stack) if "schema" in c else None}
            for k in c:
                if k != "schema":
                    entry[k] = c[k]
            out[media.split(";")[0].strip().lower()] = entry
        return out

    def request_body(self, raw):
        if raw is None:
            return None
        raw, stack = self.deref(raw)
        out = {"required": bool(raw.get("required", False)), "content": self.content(raw.get("content"), stack)}
        if "description" in raw:
            out["description"] = raw["description"]
        return out

    def responses(self, raw):
        out = {}
        for status, r in (raw or {}).items():
            r, stack = self.deref(r)
            entry = {"content": self.content(r.get("content"), stack), "headers": {}}
            for name, h in (r.get("headers") or {}).items():
                h, hstack = self.deref(h, stack)
                header = {"schema": self.schema(h["schema"], hstack) if "schema" in h else None,
                          "required": bool(h.get("required", False))}
                if "description" in h:
                    header["description"] = h["description"]
                entry["headers"][name.lower()] = header
            for k in r:
                if k not in {"content", "headers"}:
                    entry[k] = r[k]
            out[str(status)] = entry
        return out

    def operations(self):
        out = {}
        top_security = self.data.get("security")
        for path, item in (self.data.get("paths") or {}).items():
            item, _ = self.deref(item)
            shared = item.get("parameters", [])
            for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
                if method not in item:
                    continue
                op = item[method]
                params = self.parameters(shared)
                params.update(self.parameters(op.get("parameters")))
                security = op.get("security", top_security) or []
                entry = {
                    "parameters": params,
                    "requestBody": self.request_body(op.get("requestBody")),
                    "responses": self.responses(op.get("responses")),
                    "security": sorted(canonical(s) for s in security),
                }
                for k in op:
                    if k not in {"parameters", "requestBody", "responses", "security"}:
                        entry[k] = op[k]
                out[f"{method.upper()} {path}"] = entry
        return out

    def security_schemes(self):
        schemes = (self.data.get("components") or {}).get("securitySchemes") or {}
        return {k: self.deref(v)[0] for k, v in schemes.items()}


def json_type(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def merge(outer, inner):
    """`inner`'s keys under `outer`'s siblings (the wrapper's own keys win)."""
    merged = dict(inner)
    for k, v in outer.items():
        merged[k] = v
    return merged


def is_plain_object(s):
    return (
        s.get("type") in (["object"], None)
        and "additionalProperties" not in s
        and not any(k in s for k in ("oneOf", "anyOf", "allOf", "not", "enum", "items"))
        and not s.get("nullable")
    )


def merge_objects(a, b):
    out = dict(a)
    out.pop("$name", None)
    for k, v in b.items():
        if k == "$name":
            continue
        if k == "properties":
            props = dict(out.get("properties", {}))
            for name, schema in v.items():
                if name in props and props[name] != schema:
                    props[name] = {"allOf": [props[name], schema]}
                else:
                    props[name] = schema
            out["properties"] = props
        elif k == "required":
            out["required"] = sorted(set(out.get("required", [])) | set(v))
        elif k in DOC_KEYS:
            out.setdefault(k, v)
        else:
            out[k] = v
    out.setdefault("type", ["object"])
    out.setdefault("required", [])
    return out


# ---- diffing ----

# Containers whose keys are names (not keywords), by the keyword that holds them.
NAMED = {"properties", "parameters", "content", "headers", "responses", "operations",
         "securitySchemes", "patternProperties", "$defs"}


def diff(old, new, path, out, doc_context=False, names=()):
    """Appends (path, old, new, is_doc, names) for each difference; `names` lists, for each
    schema on the way that is the same component on both sides, (its depth, its name)."""
    if isinstance(old, dict) and isinstance(new, dict):
        container = path[-1] if path else None
        holder = path[-2] if len(path) >= 2 else None
        if "$name" in old and old.get("$name") == new.get("$name"):
            names = names + ((len(path), old["$name"]),)
        for k in sorted(set(old) | set(new)):
            if k == "$name":
                continue
            if container in NAMED:
                doc = doc_context  # k is a name
            elif holder == "operations":
                doc = doc_context or k in OP_DOC_KEYS
            elif holder == "parameters":
                doc = doc_context or k in PARAM_DOC_KEYS
            elif holder == "responses":
                doc = doc_context or k in RESPONSE_DOC_KEYS
            else:
                doc = doc_context or k in DOC_KEYS
            child = path + (k,)
            if k not in old:
                out.append((child, MISSING, new[k], doc, names))
            elif k not in new:
                out.append((child, old[k], MISSING, doc, names))
            else:
                diff(old[k], new[k], child, out, doc, names)
        return
    if isinstance(old, list) and isinstance(new, list) and path and path[-1] in ("oneOf", "anyOf"):
        pair_members(old, new, path, out, doc_context, names)
        return
    if old != new and not (is_number(old) and is_number(new) and float(old) == float(new)):
        out.append((path, old, new, doc_context, names))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def member_label(s):
    """A member of a oneOf named by a property with one fixed value (a tag), if any."""
    for name, p in sorted((s.get("properties") or {}).items()):
        if isinstance(p, dict) and len(p.get("enum", [])) == 1:
            return f"{name}={p['enum'][0]}"
    return None


def pair_members(old, new, path, out, doc_context, names):
    def strip(s):
        return canonical(contract_only(s))

    old_left = list(old)
    new_left = list(new)
    # Same contract: pair them first (docs may still differ).
    for o in list(old_left):
        for n in new_left:
            if strip(o) == strip(n):
                diff(o, n, path + (member_label(o) or "member",), out, doc_context, names)
                old_left.remove(o)
                new_left.remove(n)
                break
    # Then by tag.
    for o in list(old_left):
        label = member_label(o)
        if label is None:
            continue
        for n in new_left:
            if member_label(n) == label:
                diff(o, n, path + (label,), out, doc_context, names)
                old_left.remove(o)
                new_left.remove(n)
                break
    for o in old_left:
        out.append((path + (member_label(o) or "member",), o, MISSING, doc_context, names))
    for n in new_left:
        out.append((path + (member_label(n) or "member",), MISSING, n, doc_context, names))


def contract_only(value, container=None):
    if isinstance(value, dict):
        return {
            k: contract_only(v, k)
            for k, v in value.items()
            if container in NAMED or (k not in DOC_KEYS and k != "$name")
        }
    if isinstance(value, list):
        return [contract_only(v) for v in value]
    return value


class _Missing:
    def __repr__(self):
        return "(absent)"


MISSING = _Missing()


def strip_names(value):
    if isinstance(value, dict):
        return {k: strip_names(v) for k, v in value.items() if k != "$name"}
    if isinstance(value, list):
        return [strip_names(v) for v in value]
    return value


def grouped(found):
    """One entry per difference: one inside a component (the same on both sides) is reported
    once under `components > schemas > NAME`, with the number of places it shows in."""
    groups = {}
    for path, old, new, doc, names in found:
        where = path
        for depth, name in reversed(names):
            rest = path[depth:]
            if rest and (len(rest) > 1 or rest[0] not in USAGE_KEYS):
                where = ("components", "schemas", name) + rest
                break
        key = (where, canonical(strip_names(old)) if old is not MISSING else "\0",
               canonical(strip_names(new)) if new is not MISSING else "\0", doc)
        if key not in groups:
            groups[key] = [where, old, new, doc, 0]
        groups[key][4] += 1
    return list(groups.values())


def show(value):
    if value is MISSING:
        return "(absent)"
    text = json.dumps(strip_names(value), sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        old = Doc(json.load(f))
    with open(argv[2], encoding="utf-8") as f:
        new = Doc(json.load(f))

    found = []
    diff(
        {"operations": old.operations(), "securitySchemes": old.security_schemes()},
        {"operations": new.operations(), "securitySchemes": new.security_schemes()},
        (),
        found,
    )
    # Scheme descriptions are documentation.
    found = [
        (p, o, n, doc or (len(p) >= 3 and p[0] == "securitySchemes" and p[2] in DOC_KEYS), names)
        for p, o, n, doc, names in found
    ]
    # The version of OpenAPI itself, info, servers, top-level tags: documentation.
    for key in ("openapi", "info", "servers", "tags", "externalDocs"):
        if old.data.get(key) != new.data.get(key):
            found.append(((key,), old.data.get(key, MISSING), new.data.get(key, MISSING), True, ()))
    # Components by name (their contents are compared where they are used).
    for kind in ("schemas", "responses", "parameters", "requestBodies", "headers"):
        a = set(((old.data.get("components") or {}).get(kind) or {}))
        b = set(((new.data.get("components") or {}).get(kind) or {}))
        for name in sorted(a - b):
            found.append((("components", kind, name), "defined", MISSING, True, ()))
        for name in sorted(b - a):
            found.append((("components", kind, name), MISSING, "defined", True, ()))

    found = grouped(found)
    contract = [f for f in found if not f[3]]
    docs = [f for f in found if f[3]]

    def render(items):
        for path, o, n, _, count in items:
            places = f"   (in {count} places)" if count > 1 else ""
            print(f"  {' > '.join(str(p) for p in path)}{places}")
            print(f"      old: {show(o)}")
            print(f"      new: {show(n)}")

    if contract:
        print(f"CONTRACT DIFFERENCES ({len(contract)}):")
        render(contract)
    else:
        print("No contract differences.")
    if docs:
        print(f"\nDocumentation differences ({len(docs)}, not failing):")
        render(docs)
    return 1 if contract else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
