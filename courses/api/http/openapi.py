"""The OpenAPI document, made true: every problem+json answer a route can give, clock times as
what they are, and request bodies that refuse unknown fields.

`tests/api/test_openapi_conformance.py` holds the app to this document with generated requests.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from courses import __version__
from courses.api.http.problems import PROBLEM_MEDIA_TYPE

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

__all__ = [
    "FieldProblem",
    "ProblemDetails",
    "openapi_config",
    "problem_responses",
    "schema_plugins",
]


class FieldProblem(msgspec.Struct, kw_only=True):
    field: str
    """The field (`email`, or empty for the body as a whole)."""
    message: str


class ProblemDetails(msgspec.Struct, kw_only=True):
    """An error, RFC 9457 `application/problem+json`; match on the code at the end of `type`."""

    type: str
    """`<base url>/problems/<code>`, e.g. `…/problems/course-full`."""
    title: str
    status: int
    detail: str
    """What happened and what to do, in Swedish, for a person to read."""
    instance: str
    errors: list[FieldProblem] | msgspec.UnsetType = msgspec.UNSET
    """With `validation-error`: every field that is wrong, not only the first."""


_PROBLEMS = {
    400: "Ogiltig förfrågan (`validation-error`): fel i innehållet eller adressen, med `errors` "
    "per fält.",
    401: "Inloggning krävs (`unauthorized`): en token (`Authorization: Bearer ...`) eller en "
    "inloggning på /logga-in.",
    403: "Åtkomst nekad (`forbidden`): det här kräver en administratör.",
    404: "Finns inte (`course-not-found`): okänd kurs, eller okänd eller förbrukad länk.",
    409: "Konflikt med kursens läge: `registration-closed`, `not-yet-open`, `course-full`, "
    "`already-registered`, `no-invite`; för personalens åtgärder `conflict`.",
    413: "För stort innehåll (`too-large`); `detail` anger gränsen.",
    414: "För lång adress (`uri-too-long`).",
    415: "Fel innehållstyp (`unsupported-media-type`): `application/json`, eller text för en "
    "schemafil.",
    422: "Inte behörig (`not-eligible`): arbetsgivarens domäner eller arbetet inom området.",
    429: "För många förfrågningar (`too-many-requests`); rubriken `Retry-After` anger sekunder.",
    500: "Oväntat fel hos tjänsten (`internal-error`).",
    503: "Tjänsten är tillfälligt otillgänglig, t.ex. databasen (`service-unavailable`); "
    "rubriken `Retry-After` anger sekunder.",
}
# What any route can answer: a URL too long, an unexpected failure, the database away.
_EVERY_ROUTE = (414, 500, 503)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem+json answers of a route, besides those every route can give."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=_PROBLEMS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({*statuses, *_EVERY_ROUTE})
    }


class _ClockTimeSchema(OpenAPISchemaPlugin):
    """`datetime.time` as the local clock time msgspec writes (`09:00:00`).

    Litestar types it as a duration. It is not JSON Schema's `format: time` either, which is
    RFC 3339's full-time and needs an offset; a session's times are local to the organizer.
    """

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is time

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        return Schema(
            type="string",  # type: ignore[arg-type]
            pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$",
            description="Lokal tid (arrangörens tidszon), TT:MM:SS",
        )


class _ClosedStructSchema(StructSchemaPlugin):
    """A Struct that refuses unknown fields says so: `additionalProperties: false`.

    Litestar's own Struct plugin (not exported, hence the private import) leaves it open; this
    one comes first in the app's plugins and adds only that.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and bool(
            field_definition.type_.__struct_config__.forbid_unknown_fields
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        _complete(field_definition.type_, schema)
        return schema


_BOTH_TIMES = "Anges tillsammans med `start`, eller ingen av dem (heldag)."
_RULES = {
    "SessionSpec.start": "Anges tillsammans med `end`, eller ingen av dem (heldag).",
    "SessionSpec.end": f"Efter `start`. {_BOTH_TIMES}",
    "SessionPatch.end": f"Efter `start` (den nya eller den som gäller). {_BOTH_TIMES}",
    "CourseSpec.deadline": "Senast första kursdagen.",
    "CoursePatch.deadline": "Senast första kursdagen.",
    "CourseSpec.opens": "Senast sista anmälningsdag (`deadline`).",
    "CoursePatch.opens": "Senast sista anmälningsdag (`deadline`).",
    "CourseSpec.share_until": "Senast sista anmälningsdag; bara med `per_employer`.",
    "CourseSpec.approval_days": 'Bara med `approval: "manager"`.',
    "CourseSpec.offer_hours": "Timmar som en ledig plats hålls åt den som står först på "
    "reservlistan, som får ett erbjudande att tacka ja eller nej till; 0: den som står först "
    "flyttas upp direkt.",
    "CourseSpec.offer_until_hours": "De sista timmarna före första kursdagen: en plats som blir "
    "ledig då erbjuds alla på reservlistan samtidigt, och den som först tackar ja får den. "
    "Bara med `offer_hours` över 0 (annars utelämnas fältet eller är 24).",
    "FormatSpec.place": "Krävs för ett format på plats (`on_site`); ett digitalt har ingen.",
    "FormatSpec.meeting_url": "Bara för ett digitalt format.",
}
"""Rules between fields that the server checks and JSON Schema cannot say, by struct and
field, on the request bodies they hold for."""

_DATES = frozenset({"date", "deadline", "opens", "draw", "share_until"})
_DATE_RULE = "Ett datum mellan 2000-01-01 och 2199-12-31."


def _complete(struct: type, schema: Schema) -> None:
    """What Litestar leaves out of a request body's schema: the constraints on a list's
    items (`domains`: the pattern and length of each), and the rules between fields."""
    info = msgspec.inspect.type_info(struct)
    if not isinstance(info, msgspec.inspect.StructType) or not schema.properties:
        return
    for field in info.fields:
        prop = schema.properties.get(field.encode_name)
        if not isinstance(prop, Schema):
            continue
        for variant in [prop, *(v for v in prop.one_of or () if isinstance(v, Schema))]:
            _list_items(field.type, variant)
        rules = [prop.description, _RULES.get(f"{struct.__name__}.{field.name}")]
        if field.name in _DATES and struct.__name__.endswith(("Spec", "Patch")):
            rules.append(_DATE_RULE)
        if any(rules[1:]):
            prop.description = " ".join(rule for rule in rules if rule)


def _list_items(kind: msgspec.inspect.Type, schema: Schema) -> None:
    if schema.type != "array" or not isinstance(schema.items, Schema):
        return
    found = kind.types if isinstance(kind, msgspec.inspect.UnionType) else (kind,)
    for item in (t.item_type for t in found if isinstance(t, msgspec.inspect.ListType)):
        if isinstance(item, msgspec.inspect.StrType):
            schema.items.pattern = item.pattern or schema.items.pattern
            schema.items.min_length = item.min_length or schema.items.min_length
            schema.items.max_length = item.max_length or schema.items.max_length


def schema_plugins() -> list[OpenAPISchemaPlugin]:
    """Plugins for the app's `plugins=`, ahead of Litestar's built-in schema plugins."""
    return [_ClockTimeSchema(), _ClosedStructSchema()]


def openapi_config() -> OpenAPIConfig:
    """The document at /api/schema/openapi.json. Litestar's own Swagger UI is not used: it
    loads its scripts from a CDN, which a municipal network may not reach; /api/docs serves
    one from this machine instead (courses.api.http.api_docs)."""
    return OpenAPIConfig(
        title="Utbildningar inom missbruks- och beroendevård",
        version=__version__,
        description="Anmälan till utbildningar för kommun- och regionanställda. Fel besvaras "
        "som RFC 9457 `application/problem+json` med en stabil kod sist i `type` och en "
        "`detail` på svenska.",
        path="/api/schema",
        render_plugins=[JsonRenderPlugin()],
    )
