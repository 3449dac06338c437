"""Creating, executing, cancelling and retrying runs."""

from __future__ import annotations

import contextlib
import copy
import logging
import zlib

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.events import send_on_commit
from apps.core.logs import log_context, set_log_field
from apps.core.metrics import RUNS_FINISHED, RUNS_STARTED
from apps.flows.engine.executor import Executor, RunResult
from apps.flows.engine.graph import Graph
from apps.flows.engine.sampling import sample_outputs
from apps.flows.models import Flow
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.services.flow_state import flow_state_save
from apps.runs import lease
from apps.runs.events import run_finished
from apps.runs.host import RunHost
from apps.runs.models import NodeRun, Run
from apps.runs.realtime.publisher import publish_run
from apps.runs.reporter import STARTED, DatabaseReporter, DeferredReporter, limited_error_args
from apps.runs.services import recovery
from apps.runs.services.tally import tally_success

REPLAYABLE = ("success", "pinned", "disabled", "reused")


def _graph_without_pins(graph: dict) -> dict:
    return {key: value for key, value in graph.items() if key != "pinned"}


def run_create(*, flow: Flow, trigger: str, items: list | None = None, user=None, draft: bool = False) -> Run:
    """A queued run of the published version (or, for a test from the editor, of the draft with its pinned data)."""
    if items is not None and (not isinstance(items, list) or not all(isinstance(item, dict) for item in items)):
        raise DomainError(_("Input must be a list of JSON objects."), code="invalid", field="items")
    if draft:
        graph, version, pinned = _graph_without_pins(flow.draft), None, dict(flow.draft.get("pinned") or {})
    else:
        if flow.published_version is None:
            raise DomainError(_("Publish the flow before running it, or test the draft from the editor."), code="not_published")
        graph, version, pinned = flow.published_version.graph, flow.published_version, {}
    items = _items_without_input(flow, graph) if items is None else items
    run = Run.objects.create(
        flow=flow,
        version=version,
        graph=graph,
        trigger=trigger,
        input_items=items,
        pinned=pinned,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    publish_run(run, "run.queued", trigger=trigger)
    return run


EMPTY_REQUEST = {"method": "POST", "headers": {}, "query": {}, "body": {}}


def _items_without_input(flow: Flow, graph: dict) -> list[dict]:
    """What a run started without input (Run now, a test) receives. A flow started by web requests gets the test
    data pinned on its webhook step (a template's sample, a captured test request), else an empty request: its
    steps read `json.body...`, which an empty item does not have."""
    registry = load_builtin_nodes()
    webhook = next((n for n in graph.get("nodes", []) if registry.trigger_kind_of(n) == "webhook"), None)
    if webhook is None:
        return [{}]
    pinned = (flow.draft.get("pinned") or {}).get(webhook.get("id"))
    if isinstance(pinned, list) and pinned and all(isinstance(item, dict) for item in pinned):
        return copy.deepcopy(pinned)
    return [copy.deepcopy(EMPTY_REQUEST)]


def run_enqueue(run: Run) -> Run:
    """Publishes the saved run to the broker once the transaction commits. The run row is the outbox: if the
    publish fails (broker away), the run stays queued and the maintenance task publishes it again when its queued
    lease lapses, so a saved run is never lost and the caller is told it was accepted."""
    # The schema is captured now: by commit time the connection may be serving another organization.
    schema = connection.schema_name
    transaction.on_commit(lambda: run_publish(run_id=run.pk, graph=run.graph, schema=schema))
    return run


def run_publish(*, run_id: int, graph: dict, schema: str) -> bool:
    """One publish of runs.execute for a saved run; False (logged) when the broker refused it."""
    from apps.runs.fairness import graph_is_blocking, run_queue
    from apps.runs.tasks import execute_run

    blocking = graph_is_blocking(graph)
    options = {"headers": {"_schema_name": schema}, "queue": run_queue(blocking=blocking), "retry_policy": PUBLISH_RETRY}
    try:
        execute_run.apply_async((run_id,), {"blocking": blocking}, **options)
    except Exception:  # the broker is away: the relay (requeue_stuck_runs) publishes the saved run later
        logger.warning("run saved but not published; the relay will publish it", extra={"run_id": run_id}, exc_info=True)
        return False
    return True


# A caller is waiting (a webhook): a broker that does not answer at once is left to the relay.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _completed_outputs(run: Run) -> tuple[dict[str, dict], set[str]]:
    """Outputs of nodes that completed (in the run this one retries, then in this run), and the nodes with side
    effects this run started in an earlier attempt without recording their end (the journal)."""
    completed: dict[str, dict] = {}
    sources = [run.retry_of] if run.retry_of_id else []
    sources.append(run)
    for source in sources:
        rows = NodeRun.objects.filter(run=source, status__in=REPLAYABLE, outputs__isnull=False).values_list(
            "node_id", "run_index", "outputs"
        )
        for node_id, run_index, outputs in rows:
            completed[f"{node_id}#{run_index}"] = outputs
    started = NodeRun.objects.filter(run=run, status=STARTED).values_list("node_id", "run_index")
    return completed, {f"{node_id}#{run_index}" for node_id, run_index in started}


def _lock_key(run_id: int) -> tuple[int, int]:
    # Run ids repeat across organization schemas, so the schema is part of the lock.
    return zlib.crc32(connection.schema_name.encode()) - 2**31, run_id


logger = logging.getLogger("ezflow.runs")


def run_execute(*, run_id: int, on_started=None) -> Run | None:
    """Executes (or resumes) a run. Safe to call twice: a second worker backs off while the first holds the run,
    and after a crash the next one replays the nodes that completed instead of executing them again.
    `on_started` is called just before an attempt starts executing the run (from then on, a failure is a restart)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _lock_key(run_id))
        if not cursor.fetchone()[0]:
            return None
    try:
        with log_context(organization=connection.schema_name, run_id=run_id), lease.held(run_id):
            return _execute_locked(run_id, on_started)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _lock_key(run_id))


def _execute_locked(run_id: int, on_started=None) -> Run | None:
    run = Run.objects.select_related("flow", "retry_of").filter(pk=run_id).first()
    if run is None or run.status in Run.FINISHED:
        return run
    if run.status == Run.Status.WAITING and run.resume_at and run.resume_at > timezone.now():
        return run
    if run.cancel_requested:
        return _finish_cancelled(run)
    if on_started is not None:
        on_started()
    refusal = recovery.restart_refusal(run=run)
    if refusal is not None:
        return _finish_saved(run, refusal)
    fresh = run.status == Run.Status.QUEUED and run.retry_of_id is None
    if run.status == Run.Status.WAITING:
        from apps.runs.services.scheduler import wakeup_done

        wakeup_done(run=run)
    now = timezone.now()
    run.status, run.started_at, run.seq, run.updated_at = Run.Status.RUNNING, run.started_at or now, run.seq + 1, now
    run.lease_until = lease.lease_deadline(now)
    Run.objects.filter(pk=run.pk).update(
        status=run.status, started_at=run.started_at, seq=run.seq, updated_at=now, lease_until=run.lease_until
    )
    set_log_field("flow_id", run.flow_id)
    RUNS_STARTED.labels(run.trigger).inc()
    publish_run(run, "run.started")
    graph = Graph.from_dict(run.graph)
    names = {node.id: (node.name, node.type) for node in graph.nodes.values()}
    reporter = DatabaseReporter(run, node_names=names, save_history=run.flow.save_history)
    completed, unconfirmed = ({}, set()) if fresh else _completed_outputs(run)
    executor = Executor(
        graph,
        host=RunHost(organization=connection.tenant, run=run),
        reporter=reporter,
        run_meta={"id": run.pk, "trigger": run.trigger},
        flow_meta={"id": run.flow_id, "name": run.flow.name},
        completed=completed,
        unconfirmed=unconfirmed,
        pinned=run.pinned,
        resumed=set(run.resumed_nodes),
    )
    try:
        result = executor.run(trigger_items=run.input_items)
        reporter.flush()
        return _finish_saved(run, result)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the run is picked up again later, and counted (recovery.restart_refusal)
    except Exception as exc:  # anything else would fail again on every restart: the run fails with the reason
        logger.exception("run result not saved")
        reporter.discard()
        return _finish_saved(run, recovery.unsaved_result(exc))


def _finish_saved(run: Run, result: RunResult) -> Run:
    with transaction.atomic():  # all or nothing, so that a failed save leaves the connection usable
        return _finish(run, result)


class RunSaved(Exception):
    """An inline run whose row was written before the database went away: a worker finishes it later."""

    def __init__(self, run_id: int):
        super().__init__(f"run {run_id} saved, not finished")
        self.run_id = run_id


def run_execute_inline(
    *, flow: Flow, graph: Graph, items: list, run_id: int, trigger: str = Run.Trigger.WEBHOOK, watched: bool = True
) -> Run:
    """Executes a new run of the flow's published version at once, in this thread, for a caller waiting for it.

    Nothing is written while the run stays short and pure: the run and its node results go to the database in one
    statement at the end, and a successful run of a flow with history off is not written at all (unless alert
    rules watch the flow: `watched`). Before a node with side effects or one that may block, or once the run takes
    longer than a blink, the run row is written and the run continues exactly like run_execute (DeferredReporter).
    `run_id` comes from the run id sequence, so the engine and the caller know it from the start."""
    version = flow.published_version
    now = timezone.now()
    run = Run(
        pk=run_id,
        flow=flow,
        version=version,
        graph=version.graph,
        trigger=trigger,
        input_items=items,
        status=Run.Status.RUNNING,
        created_at=now,
        started_at=now,
        updated_at=now,
        lease_until=lease.lease_deadline(now),
        seq=1,
    )
    leases = contextlib.ExitStack()

    def materialize() -> None:
        run.save(force_insert=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", _lock_key(run.pk))
        leases.enter_context(lease.held(run.pk))
        publish_run(run, "run.started")

    names = {node.id: (node.name, node.type) for node in graph.nodes.values()}
    reporter = DeferredReporter(run, node_names=names, save_history=flow.save_history, materialize=materialize)
    with log_context(organization=connection.schema_name, run_id=run_id, flow_id=flow.pk):
        RUNS_STARTED.labels(run.trigger).inc()
        executor = Executor(
            graph,
            host=RunHost(organization=connection.tenant, run=run),
            reporter=reporter,
            run_meta={"id": run.pk, "trigger": run.trigger},
            flow_meta={"id": flow.pk, "name": flow.name},
        )
        try:
            result = executor.run(trigger_items=items)
        except BaseException as exc:
            leases.close()  # a run this process no longer executes must not look alive
            if reporter.materialized and isinstance(exc, DatabaseError):
                raise RunSaved(run.pk) from exc
            raise
        if reporter.materialized:
            try:
                reporter.flush()
                return _finish(run, result)
            except DatabaseError as exc:
                raise RunSaved(run.pk) from exc
            finally:
                leases.close()
                with contextlib.suppress(DatabaseError), connection.cursor() as cursor:  # a lost connection gave it back
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _lock_key(run.pk))
        _settle(run, result)
        _save_flow_state(run, result)
        run.updated_at = timezone.now()
        stored = flow.save_history or watched or run.status != Run.Status.SUCCESS
        if stored:
            _insert_run_with_nodes(run, reporter.pending)
        else:  # monitoring still counts it
            tally_success(schema=connection.schema_name, flow_id=flow.pk, finished_at=run.updated_at, duration_ms=run.duration_ms)
        _count_and_log(run)
        if stored:
            publish_run(run, f"run.{run.status}", error=run.error[:500], error_node_id=run.error_node_id)
            if watched:
                _announce_finished(run)
    return run


def _insert_sql(model, objects: list, now) -> tuple[str, list]:
    """One multi-row INSERT of model instances, every concrete field from the instance (pk too when it is set)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objects[0], f.attname) is None)
        and not isinstance(getattr(objects[0], f.attname), DatabaseDefault)  # the database fills it (a run's number)
    ]
    params, rows = [], []
    for obj in objects:
        for f in fields:
            if getattr(f, "auto_now", False) or (getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is None):
                setattr(obj, f.attname, now)
            params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
        rows.append("(" + ", ".join(["%s"] * len(fields)) + ")")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join(rows)}", params  # noqa: S608 (names from metadata)


def _insert_run_with_nodes(run: Run, node_runs: list[NodeRun]) -> None:
    # One statement, so one round trip and atomic without BEGIN/COMMIT: the node rows' foreign key checks run at
    # the end of the statement, when the run row of the CTE exists.
    now = timezone.now()
    sql, params = _insert_sql(Run, [run], now)
    if node_runs:
        node_sql, node_params = _insert_sql(NodeRun, node_runs, now)
        sql, params = f"WITH new_run AS ({sql}) {node_sql}", params + node_params
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        # Only runs of pure nodes come here: they changed nothing outside, so their history need not wait for the
        # disk flush (1-3 ms, most of such a run's time). A crash of the database server itself can lose the last
        # fraction of a second of such history, never corrupt it; everything else keeps synchronous commits.
        sql = f"SET LOCAL synchronous_commit TO off; {sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    run._state.adding = False


def _save_flow_state(run: Run, result: RunResult) -> None:
    """What the run changed in the flow's state ($getWorkflowStaticData) is kept once a production run succeeded, or
    parked at a wait (the steps before it will not run again); test runs keep nothing, as in n8n."""
    production = run.trigger != Run.Trigger.TEST and run.version_id is not None
    if production and result.flow_state_changes and run.status in (Run.Status.SUCCESS, Run.Status.WAITING):
        flow_state_save(flow_id=run.flow_id, changes=result.flow_state_changes)


def _finish(run: Run, result: RunResult) -> Run:
    _settle(run, result)
    _save_flow_state(run, result)
    publish_run(run, f"run.{run.status}", error=run.error[:500], error_node_id=run.error_node_id)
    _count_and_log(run)
    run.save(
        update_fields=[
            "updated_at",
            "status",
            "resume_at",
            "resumed_nodes",
            "finished_at",
            "error",
            "error_code",
            "error_detail",
            "error_args",
            "error_node_id",
            "result_sample",
            "response",
            "seq",
        ]
    )
    _announce_finished(run)
    return run


def _announce_finished(run: Run) -> None:
    if run.trigger != Run.Trigger.TEST and run.status in (Run.Status.SUCCESS, Run.Status.FAILED):
        send_on_commit(run_finished, schema=connection.schema_name, run=run)


def _settle(run: Run, result: RunResult) -> None:
    """Copies the engine's result onto the run (not saved); a failure also starts the flow's error flow."""
    run.result_sample = sample_outputs({"main": result.last_items})["main"]["items"]
    run.response = result.response
    run.seq += 1
    if result.status == "waiting":
        run.status, run.resume_at = Run.Status.WAITING, result.resume_at
        run.resumed_nodes = [*run.resumed_nodes, result.waiting_node]
        from apps.runs.services.scheduler import wakeup_register

        wakeup_register(run=run)
    else:
        run.status = {"success": Run.Status.SUCCESS, "failed": Run.Status.FAILED, "cancelled": Run.Status.CANCELLED}[result.status]
        run.finished_at = timezone.now()
        run.error, run.error_code, run.error_detail = result.error[:10_000], result.error_code, result.error_detail[:20_000]
        run.error_args = limited_error_args(result.error_args)
        run.error_node_id = result.failed_node or ""
        if run.status == Run.Status.FAILED:
            _start_error_flow(run)


def _count_and_log(run: Run) -> None:
    if run.status != Run.Status.WAITING:
        RUNS_FINISHED.labels(run.status).inc()
    # Codes and ids only: error messages may quote item data.
    with log_context(node_id=run.error_node_id or None):
        logger.info(
            "run %s",
            run.status,
            extra={"status": run.status, "error_code": run.error_code, "trigger": run.trigger, "duration_ms": run.duration_ms},
        )


def _start_error_flow(run: Run) -> None:
    """Runs the flow's error flow (one with an error trigger) with what failed, unless this run is itself one."""
    flow = run.flow
    if run.trigger == Run.Trigger.ERROR or not flow.error_flow_id:
        return
    error_flow = Flow.objects.select_related("published_version").filter(pk=flow.error_flow_id, active=True).first()
    if error_flow is None or error_flow.published_version is None:
        return
    item = {
        "flow": {"id": flow.pk, "name": flow.name},
        "run": {"id": run.pk, "trigger": run.trigger, "started_at": run.started_at.isoformat() if run.started_at else None},
        "error": {"message": run.error, "code": run.error_code, "node_id": run.error_node_id},
    }
    run_enqueue(run_create(flow=error_flow, trigger=Run.Trigger.ERROR, items=[item]))


def _finish_cancelled(run: Run) -> Run:
    Run.objects.filter(pk=run.pk).update(status=Run.Status.CANCELLED, finished_at=timezone.now(), seq=F("seq") + 1)
    run.refresh_from_db()
    publish_run(run, "run.cancelled")
    return run


def run_cancel(*, run: Run) -> Run:
    if run.status in Run.FINISHED:
        raise DomainError(_("This run has already finished."), code="already_finished", status=409)
    with transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        locked.cancel_requested = True
        locked.save(update_fields=["cancel_requested"])
        if locked.status in (Run.Status.QUEUED, Run.Status.WAITING):
            return _finish_cancelled(locked)
    return locked


def run_retry(*, run: Run, user=None, from_failed_node: bool = True) -> Run:
    """A new run of the same graph and input; from the failed node, the nodes that succeeded are reused."""
    if run.status not in (Run.Status.FAILED, Run.Status.CANCELLED, Run.Status.SUCCESS):
        raise DomainError(_("Only finished runs can be run again."), code="not_finished", status=409)
    return Run.objects.create(
        flow=run.flow,
        version=run.version,
        graph=run.graph,
        trigger=Run.Trigger.RETRY,
        input_items=run.input_items,
        pinned=run.pinned,
        retry_of=run if from_failed_node else None,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
