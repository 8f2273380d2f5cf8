"""Authenticated endpoints: a user's working set of suggestions, drafts, transitions, and the
handling actions of units and staff. Every write goes through `suggestions.services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from congress.models import Deputy, Session
from suggestions import access, services
from suggestions.api.filters import SuggestionFilter, key_supervised
from suggestions.api.serializers import inputs
from suggestions.api.serializers.internal import (
    TRANSITION_NAMES,
    DraftCreateSerializer,
    DraftUpdateSerializer,
    InternalSuggestionSerializer,
    WorkspaceSuggestionListSerializer,
)
from suggestions.api.views.public import SEARCH_PARAMETER, SearchMixin
from suggestions.models import Assignment, Event, Reply, Suggestion


def internal_detail_queryset(user):
    return (
        access.readable_suggestions(user)
        .annotate(key_supervised=key_supervised())
        .select_related(
            "congress",
            "term",
            "session",
            "lead_deputy__person",
            "lead_deputy__delegation",
            "merged_into",
            "source",
        )
        .prefetch_related(
            "versions",
            "cosignatures__deputy__person",
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
            "evaluations",
            "outcomes",
            Prefetch(
                "events",
                # The public projection's actors read the clerks' persons and units.
                queryset=Event.objects.select_related("source", "actor__person").prefetch_related(
                    "actor__handling_units"
                ),
            ),
            "supervision_plans__activities",
            "supervision_plans__committee",
            "supervision_plans__lead_unit",
            "follow_up_reviews",
            "links_out__to_suggestion__congress",
            "links_in__from_suggestion__congress",
        )
    )


def internal_response(request, suggestion: Suggestion, status_code=status.HTTP_200_OK):
    fresh = internal_detail_queryset(request.user).filter(pk=suggestion.pk).first()
    if fresh is None:  # e.g. a co-signer's view after the suggestion left their hands
        return Response(status=status.HTTP_204_NO_CONTENT)
    serializer = InternalSuggestionSerializer(fresh, context={"request": request})
    return Response(serializer.data, status=status_code)


@extend_schema_view(
    list=extend_schema(
        summary="My working set of suggestions", parameters=[SEARCH_PARAMETER], tags=["work"]
    ),
    retrieve=extend_schema(summary="One suggestion, with its internal record", tags=["work"]),
)
class WorkspaceSuggestionViewSet(
    SearchMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated]
    filterset_class = SuggestionFilter
    ordering_fields = ["filed_on", "number", "title", "id", "updated_at"]
    ordering = ["-updated_at", "-id"]
    searches_working_set = True

    def get_queryset(self):
        if self.action == "list":
            return access.with_readable_title(
                access.readable_suggestions(self.request.user)
                .annotate(key_supervised=key_supervised())
                .select_related("congress", "session", "lead_deputy__person"),
                self.request.user,
            )
        return internal_detail_queryset(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return WorkspaceSuggestionListSerializer
        if self.action == "create":
            return DraftCreateSerializer
        if self.action in ("update", "partial_update"):
            return DraftUpdateSerializer
        return InternalSuggestionSerializer

    @extend_schema(
        summary="Create a draft (deputy)",
        request=DraftCreateSerializer,
        responses={201: InternalSuggestionSerializer},
        tags=["work"],
    )
    def create(self, request, *args, **kwargs):
        data = _valid(DraftCreateSerializer, request.data)
        deputy = self._lead_deputy(request.user, data.get("lead_deputy"))
        session = None
        if data["session"] is not None:
            session = Session.objects.filter(pk=data["session"]).first()
            if session is None:
                raise ValidationError({"session": [_("没有这次会议。")]})
        cosigners = list(Deputy.objects.filter(pk__in=data["cosigners"]))
        if len(cosigners) != len(set(data["cosigners"])):
            raise ValidationError({"cosigners": [_("联名代表中有不存在的代表。")]})
        suggestion = services.suggestion_create_draft(
            actor=request.user,
            lead_deputy=deputy,
            title=data["title"],
            body=data["body"],
            topic=data["topic"],
            session=session,
            cosigners=cosigners,
        )
        return internal_response(request, suggestion, status.HTTP_201_CREATED)

    @staticmethod
    def _lead_deputy(user, deputy_id):
        mandates = Deputy.objects.for_user(user).select_related("person", "term__congress")
        if deputy_id is not None:
            deputy = Deputy.objects.filter(pk=deputy_id).select_related("person").first()
            if deputy is None:
                raise ValidationError({"lead_deputy": [_("没有这位代表。")]})
            return deputy  # the service refuses (403) anyone but the deputy's own account
        mandates = list(mandates[:2])
        if len(mandates) != 1:
            raise ValidationError(
                {"lead_deputy": [_("请指明以哪一个代表身份起草建议。")]}
                if mandates
                else {"lead_deputy": [_("您的账号没有代表身份，不能起草建议。")]}
            )
        return mandates[0]

    @extend_schema(
        summary="Edit a draft or a returned suggestion (lead deputy)",
        request=DraftUpdateSerializer,
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def update(self, request, *args, **kwargs):
        suggestion = self.get_object()
        data = _valid(DraftUpdateSerializer, request.data)
        services.suggestion_update_draft(
            suggestion=suggestion,
            actor=request.user,
            title=data.get("title", suggestion.title),
            body=data.get("body", suggestion.body),
            topic=data.get("topic"),
            reason=data.get("reason", ""),
        )
        return internal_response(request, suggestion)

    @extend_schema(
        summary="Edit a draft (partial)",
        request=DraftUpdateSerializer,
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@dataclass(frozen=True)
class TransitionSpec:
    input: type
    run: Callable  # (suggestion, actor, validated data) -> anything


TRANSITIONS: dict[str, TransitionSpec] = {
    "submit": TransitionSpec(
        inputs.EmptyInput, lambda s, a, d: services.suggestion_submit(suggestion=s, actor=a)
    ),
    "return_for_revision": TransitionSpec(
        inputs.ReturnForRevisionInput,
        lambda s, a, d: services.suggestion_return_for_revision(suggestion=s, actor=a, **d),
    ),
    "register": TransitionSpec(
        inputs.EmptyInput, lambda s, a, d: services.suggestion_register(suggestion=s, actor=a)
    ),
    "refuse": TransitionSpec(
        inputs.RefuseInput,
        lambda s, a, d: services.suggestion_refuse(suggestion=s, actor=a, **d),
    ),
    "merge": TransitionSpec(
        inputs.MergeInput, lambda s, a, d: services.suggestion_merge(suggestion=s, actor=a, **d)
    ),
    "withdraw": TransitionSpec(
        inputs.WithdrawInput,
        lambda s, a, d: services.suggestion_withdraw(suggestion=s, actor=a, **d),
    ),
    "assign": TransitionSpec(
        inputs.AssignInput, lambda s, a, d: services.suggestion_assign(suggestion=s, actor=a, **d)
    ),
    "reassign": TransitionSpec(
        inputs.ReassignInput,
        lambda s, a, d: services.suggestion_reassign(suggestion=s, actor=a, **d),
    ),
    "reply": TransitionSpec(
        inputs.ReplyInput, lambda s, a, d: services.suggestion_reply(suggestion=s, actor=a, **d)
    ),
    "evaluate": TransitionSpec(
        inputs.EvaluateInput,
        lambda s, a, d: services.suggestion_evaluate(suggestion=s, actor=a, **d),
    ),
    "start_follow_up": TransitionSpec(
        inputs.StartFollowUpInput,
        lambda s, a, d: services.suggestion_start_follow_up(suggestion=s, actor=a, **d),
    ),
    "complete": TransitionSpec(
        inputs.CompleteInput,
        lambda s, a, d: services.suggestion_complete(suggestion=s, actor=a, **d),
    ),
}
assert set(TRANSITIONS) == set(TRANSITION_NAMES)


def suggestion_for_action(user, pk) -> Suggestion:
    """A suggestion the user may see (working set or public); 404 otherwise, so that the
    existence of someone else's draft is not revealed."""
    return access.suggestion_for(
        user,
        pk,
        include_public=True,
        queryset=Suggestion.objects.select_related("congress", "lead_deputy__person"),
    )


class TransitionView(APIView):
    """Fire a lifecycle transition through the same service (and so the same state machine
    and permissions) as the pages."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Fire a transition",
        description=(
            "Inputs by transition: submit {}, return_for_revision {comments, revision_days?}, "
            "register {}, refuse {reason_code, explanation?}, merge {target, reason?}, "
            "withdraw {reason}, assign {lead_unit?, co_units?, separate_units?, assigned_on?}, "
            "reassign {assignment, reason}, reply {category, text, signer, assignment?} "
            "(category: a code of the congress's reply_categories, /api/v1/congresses/{id}/; "
            "another value is a 400 naming the valid codes), "
            "evaluate {rating, comment?}, start_follow_up {due_on?, reason?}, "
            "complete {findings, date?, conducted_by?}. A refused transition answers 409 with "
            "the reason, a missing right 403, bad input 400 naming the field."
        ),
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(TRANSITION_NAMES))
        ],
        request={"application/json": {"type": "object", "additionalProperties": True}},
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def post(self, request, pk: int, name: str):
        spec = TRANSITIONS.get(name)
        if spec is None:
            raise NotFound(_("没有名为「%(name)s」的操作。") % {"name": name})
        suggestion = suggestion_for_action(request.user, pk)
        data = _valid(spec.input, request.data)
        spec.run(suggestion, request.user, dict(data))
        return internal_response(request, suggestion)


class ConfirmCosignatureView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Confirm co-signing (invited deputy)",
        request=None,
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def post(self, request, pk: int):
        suggestion = suggestion_for_action(request.user, pk)
        services.cosigner_confirm(suggestion=suggestion, actor=request.user)
        return internal_response(request, suggestion)


def _assignment_for(user, pk) -> Assignment:
    return access.assignment_for(
        user, pk, queryset=Assignment.objects.select_related("suggestion__congress", "unit")
    )


class ContactView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record a contact with the deputy (unit)",
        request=inputs.ContactInput,
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def post(self, request, pk: int):
        assignment = _assignment_for(request.user, pk)
        data = _valid(inputs.ContactInput, request.data)
        services.contact_record(assignment=assignment, actor=request.user, **data)
        return internal_response(request, assignment.suggestion)


class CoOpinionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Submit a co-handling opinion (co-handling unit)",
        request=inputs.CoOpinionInput,
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def post(self, request, pk: int):
        assignment = _assignment_for(request.user, pk)
        data = _valid(inputs.CoOpinionInput, request.data)
        services.co_opinion_submit(assignment=assignment, actor=request.user, **data)
        return internal_response(request, assignment.suggestion)


class PublishReplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publish a reply, with redactions (staff)",
        request=inputs.PublishInput,
        responses=InternalSuggestionSerializer,
        tags=["work"],
    )
    def post(self, request, pk: int):
        reply = access.reply_for(request.user, pk)
        data = _valid(inputs.PublishInput, request.data)
        services.reply_publish(reply=reply, actor=request.user, **data)
        return internal_response(request, reply.suggestion)
