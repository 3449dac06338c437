from django.db import connection
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsEditor, IsOrganizationMember
from apps.assistant import services
from apps.assistant.api import serializers as s
from apps.assistant.models import Turn
from apps.flows import selectors as flow_selectors


class DraftApi(APIView):
    """A flow drafted from one sentence, or the given flow changed by it."""

    permission_classes = [IsEditor]

    @extend_schema(request=s.DraftInput, responses={200: s.DraftOutput})
    def post(self, request):
        data = s.DraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        answer = services.assistant_draft(
            user=request.user,
            organization=connection.tenant,
            prompt=values["prompt"],
            graph=values.get("graph"),
            language=values.get("language", ""),
        )
        return Response(answer)


def _turn(turn: Turn) -> dict:
    return s.TurnOutput(turn).data


class ConversationApi(APIView):
    """The person's conversation with the assistant about one flow. Every member may ask (answers are proposals);
    only editors apply them (the state endpoint, and saving the flow)."""

    permission_classes = [IsOrganizationMember]

    @extend_schema(responses={200: s.ConversationOutput})
    def get(self, request, flow_id: int):
        flow = get_object_or_404(flow_selectors.flow_list(), pk=flow_id)
        return Response({"turns": [_turn(t) for t in services.conversation_turns(user=request.user, flow=flow)]})

    @extend_schema(request=s.AskInput, responses={201: s.TurnOutput})
    def post(self, request, flow_id: int):
        flow = get_object_or_404(flow_selectors.flow_list(), pk=flow_id)
        data = s.AskInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        turn = services.conversation_ask(
            user=request.user,
            organization=connection.tenant,
            flow=flow,
            prompt=values["prompt"],
            graph=values.get("graph"),
            language=values.get("language", ""),
        )
        return Response(_turn(turn), status=201)

    @extend_schema(responses={204: None})
    def delete(self, request, flow_id: int):
        flow = get_object_or_404(flow_selectors.flow_list(), pk=flow_id)
        services.conversation_clear(user=request.user, flow=flow)
        return Response(status=204)


class TurnStateApi(APIView):
    """Records what the person did with a proposal: applied, discarded, or undone after applying."""

    permission_classes = [IsEditor]

    @extend_schema(request=s.StateInput, responses={200: s.TurnOutput})
    def post(self, request, flow_id: int, turn_id: int):
        turn = get_object_or_404(Turn.objects.filter(conversation__user=request.user, conversation__flow_id=flow_id), pk=turn_id)
        data = s.StateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(_turn(services.turn_set_state(turn=turn, state=data.validated_data["state"])))
