"""Reactions to events of lower apps, connected in RunsConfig.ready(): open live sockets close when access ends."""

from __future__ import annotations

from apps.runs.realtime import publisher


def close_sockets_of_person(sender=None, *, schema: str, user_id: int, **kwargs) -> None:
    publisher.evict_person(schema=schema, user_id=user_id)


def close_sockets_of_organization(sender=None, *, schema: str, **kwargs) -> None:
    publisher.close_organization(schema=schema)


def close_sockets_of_sessions(sender=None, *, schemas: list[str], user_id: int, session_key: str | None, **kwargs) -> None:
    publisher.end_sessions(schemas=schemas, user_id=user_id, session_key=session_key)


def keep_schedule_in_step(sender=None, *, flow, deleted: bool, **kwargs) -> None:
    from apps.runs.services.scheduler import schedule_remove, schedule_sync

    if deleted:
        schedule_remove(flow_id=flow.pk)
    else:
        schedule_sync(flow=flow)


def keep_polls_in_step(sender=None, *, flow, deleted: bool, **kwargs) -> None:
    from apps.runs.services.polling import poll_remove, poll_sync

    if deleted:
        poll_remove(flow_id=flow.pk)
    else:
        poll_sync(flow=flow)


def keep_listeners_in_step(sender=None, *, flow, deleted: bool, **kwargs) -> None:
    from apps.runs.services.listeners import listener_remove, listener_sync

    if deleted:
        listener_remove(flow_id=flow.pk)
    else:
        listener_sync(flow=flow)
