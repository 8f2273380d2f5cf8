"""OpenAPI post-processing: document the one error shape on every operation, so clients (and
schemathesis) can rely on the schema for error responses too."""

from __future__ import annotations

ERROR_STATUSES = {
    "400": "Bad input; `fields` names each offending field.",
    "401": "Not logged in (send `Authorization: Token <key>` or use a session).",
    "403": "Logged in, but not allowed to do this.",
    "404": "Not found, or not visible to you.",
    "405": "Method not allowed.",
    "409": "The suggestion's state or a precondition refuses the action.",
    "415": "Unsupported media type.",
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error. `code` is stable; `message` is for people.",
    "properties": {
        "code": {"type": "string", "example": "illegal_state"},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message"],
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description, "content": reference})
            # Errors a view declares itself (e.g. the token endpoint's 429) have the same shape.
            for code, response in responses.items():
                if code.startswith("4") and "content" not in response:
                    response["content"] = reference
    return result
