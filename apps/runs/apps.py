from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "apps.runs"
    label = "runs"

    def ready(self):
        from apps.accounts import events as accounts_events
        from apps.flows import events as flows_events
        from apps.runs import dashboard, receivers
        from apps.runs.realtime.pages import FlowRunsPage, RunListPage, RunPage, live_pages

        for page in (RunPage(), FlowRunsPage(), RunListPage()):
            live_pages.register(page)
        dashboard.register()
        accounts_events.membership_revoked.connect(receivers.close_sockets_of_person, dispatch_uid="ezflow.runs.membership_revoked")
        accounts_events.organization_suspended.connect(
            receivers.close_sockets_of_organization, dispatch_uid="ezflow.runs.organization_suspended"
        )
        accounts_events.sessions_ended.connect(receivers.close_sockets_of_sessions, dispatch_uid="ezflow.runs.sessions_ended")
        flows_events.flow_live_changed.connect(receivers.keep_schedule_in_step, dispatch_uid="ezflow.runs.keep_schedule_in_step")
        flows_events.flow_live_changed.connect(receivers.keep_polls_in_step, dispatch_uid="ezflow.runs.keep_polls_in_step")
        flows_events.flow_live_changed.connect(receivers.keep_listeners_in_step, dispatch_uid="ezflow.runs.keep_listeners_in_step")
