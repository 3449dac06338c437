"""Marketplace search and template page through GraphQL with 100,000 templates.

Creates a scratch database, seeds BENCH_TEMPLATES (100,000) templates with a version each, ratings and comments by
COPY, then times in process (Django test client, full middleware stack, public host) BENCH_SAMPLES (200) requests of:
  search  — `templates(query: …, first: 20)` with authors, rating summary and latest version, over a mix of Korean
            substrings ("자동화" inside "업무자동화"), English words and two-word queries;
  detail  — `template(id: …)` with versions, rating distribution, reviews and comments.
Prints p50 / p95 / max in milliseconds. Run with `make bench BENCH=marketplace`.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import uuid

from bench.common import percentile, setup_django

TEMPLATES = int(os.environ.get("BENCH_TEMPLATES", "100000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
USERS = 2_000

KOREAN = (
    "업무자동화 자동화 주간 보고 알림 슬랙 메일 고객 주문 결제 정산 재고 출근 휴가 급여 회의 일정 설문 "
    "견적 계약 배송 문의 상담 리뷰 채용 면접 온보딩 예산 세금 영수증 매출 마케팅 뉴스레터 캠페인 "
    "엑셀 시트 백업 동기화 요약 번역 승인 결재 공지 리마인더 보고서 대시보드 모니터링 장애 티켓"
).split()
ENGLISH = (
    "slack email invoice report weekly daily customer order payment inventory sales lead crm onboarding "
    "survey meeting calendar reminder approval backup sync summary translate newsletter campaign ticket "
    "alert monitor dashboard budget receipt expense hiring interview support feedback review webhook sheet"
).split()
QUERIES = [
    "자동화",
    "업무자동화",
    "주간 보고",
    "슬랙 알림",
    "고객",
    "정산",
    "invoice",
    "reports",
    "slack alert",
    "weekly report",
    "영수증",
    "crm",
]
CATEGORIES = ["sales", "marketing", "support", "hr", "finance", "operations", "it", "productivity", "data", "other"]


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(connection, organization_id: int, author_id: int) -> None:
    rng = random.Random(7)
    graph = json.dumps(
        {
            "format": "ezflow/1",
            "nodes": [
                {"id": "start", "type": "trigger.manual", "name": "Start", "parameters": {}},
                {"id": "set", "type": "data.set", "name": "Set", "parameters": {"fields": [{"name": "x", "value": "{{ json.a }}"}]}},
            ],
            "edges": [{"source": "start", "target": "set"}],
        }
    )
    now = "2026-11-25 00:00:00+00"
    with connection.cursor() as django_cursor:
        cursor = django_cursor.connection.cursor()  # psycopg cursor, for COPY
        _copy(
            cursor,
            "accounts_user",
            ["id", "password", "is_superuser", "email", "name", "language", "is_active", "is_staff", "date_joined"],
            ((1_000_000 + i, "!", False, f"rater{i}@bench.example", f"평가자 {i}", "", True, False, now) for i in range(USERS)),
        )

        def templates():
            for i in range(1, TEMPLATES + 1):
                words = rng.sample(KOREAN, 3) + rng.sample(ENGLISH, 2)
                rng.shuffle(words)
                title = " ".join(words[:4])
                summary = " ".join(rng.sample(KOREAN, 4) + rng.sample(ENGLISH, 3))
                description = f"## {title}\n\n{summary}. " + " ".join(rng.sample(ENGLISH + KOREAN, 12))
                tags = rng.sample(ENGLISH, 2) + rng.sample(KOREAN, 1)
                category = rng.choice(CATEGORIES)
                installs = int(rng.paretovariate(1.2) * 3)
                text = " ".join([title, summary, " ".join(tags), category, description]).lower()
                yield (
                    i, title, summary, description, category, "{" + ",".join(tags) + "}", "box", rng.choice(["ko", "ko", "en"]),
                    "cc-by", "public", organization_id, author_id, i, "{data.set,trigger.manual}", False, installs, 0, 0, 0, 0.0, 0,
                    float(rng.randint(0, 20)), text, now, now,
                )  # fmt: skip

        _copy(
            cursor,
            "marketplace_template",
            "id title summary description category tags icon language license visibility author_organization_id author_id "
            "latest_version_id node_types is_hidden install_count fork_count rating_count rating_sum rating_average comment_count "
            "trending_score search_text created_at updated_at".split(),
            templates(),
        )
        _copy(
            cursor,
            "marketplace_templateversion",
            "id template_id version major minor patch changelog graph credential_types node_types created_at yanked_reason".split(),
            ((i, i, "1.0.0", 1, 0, 0, "First version", graph, "{}", "{data.set,trigger.manual}", now, "") for i in range(1, TEMPLATES + 1)),
        )
        ratings, comments = [], []
        rating_id = comment_id = 0
        for template_id in range(1, TEMPLATES + 1, 2):  # half the templates have ratings, a tenth comments
            for user in rng.sample(range(USERS), rng.randint(1, 6)):
                rating_id += 1
                ratings.append(
                    (rating_id, template_id, 1_000_000 + user, rng.randint(1, 5), rng.choice(["", "좋아요", "useful"]), now, now)
                )
            if template_id % 10 == 1:
                for _ in range(rng.randint(1, 4)):
                    comment_id += 1
                    comments.append((comment_id, template_id, None, 1_000_000 + rng.randrange(USERS), "잘 쓰고 있습니다", now, 0, ""))
        _copy(cursor, "marketplace_rating", "id template_id user_id stars review created_at updated_at".split(), ratings)
        _copy(
            cursor,
            "marketplace_comment",
            "id template_id parent_id author_id body created_at report_count moderation_reason".split(),
            comments,
        )
        cursor.execute(
            """UPDATE marketplace_template t SET rating_count = r.n, rating_sum = r.s, rating_average = r.s::float / r.n
               FROM (SELECT template_id, count(*) n, sum(stars) s FROM marketplace_rating GROUP BY template_id) r
               WHERE r.template_id = t.id"""
        )
        cursor.execute(
            """UPDATE marketplace_template SET search_vector = setweight(to_tsvector('english', title), 'A')
               || setweight(to_tsvector('english', summary), 'B') || setweight(to_tsvector('english', description), 'C')"""
        )
        for table in ("accounts_user", "marketplace_template", "marketplace_templateversion", "marketplace_rating", "marketplace_comment"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")


SEARCH = """query($q: String!) { templates(query: $q, first: 20) { pageInfo { hasNextPage endCursor }
  edges { node { id title summary ratingAverage ratingCount installCount author { displayName } organization { name }
  latestVersion { version } } } } }"""
DETAIL = """query($id: ID!) { template(id: $id) { title descriptionHtml categoryLabel tags nodeTypes installCount
  author { displayName } organization { name } latestVersion { version graph }
  versions { version isYanked createdAt } ratingSummary { average count distribution { stars count } }
  reviews { stars review author { displayName } } comments { body author { displayName } replies { body } } } }"""


class SqlClock:
    """Adds up the time spent in SQL, to tell the database's share from Python's."""

    def __init__(self):
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def measure(client, query: str, variables_for) -> tuple[list[float], list[float]]:
    from django.db import connection

    timings, sql = [], []
    for i in range(SAMPLES + 10):
        clock = SqlClock()
        with connection.execute_wrapper(clock):
            started = time.perf_counter()
            response = client.post("/graphql/", {"query": query, "variables": variables_for(i)}, content_type="application/json")
            elapsed = (time.perf_counter() - started) * 1000
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        if i >= 10:  # warm-up
            timings.append(elapsed)
            sql.append(clock.ms)
    return timings, sql


def main() -> int:
    from ezflow_site import dbadmin

    server_url = os.environ["DATABASE_URL"]
    reuse = os.environ.get("BENCH_REUSE_DB", "")  # a database kept by an earlier run (BENCH_KEEP_DB=1)
    name = reuse or f"ezflow_bench_{uuid.uuid4().hex[:8]}"
    os.environ["DATABASE_URL"] = dbadmin.with_database(server_url, name) if reuse else dbadmin.create_database(server_url, name)
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from apps.accounts.services.platform import public_site_ensure
    from apps.accounts.services.signup import organization_signup

    try:
        started = time.perf_counter()
        if not reuse:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            public_site_ensure()
            result = organization_signup(
                organization_name="Bench", slug="bench-market", email="author@bench.example", password="bench-passphrase-123"
            )
            connection.set_schema_to_public()
            started = time.perf_counter()
            with transaction.atomic():
                seed(connection, result.organization.pk, result.user.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM marketplace_template")
            count = cursor.fetchone()[0]
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(" on ")[0]
        print(f"seeded {count:,} templates in {time.perf_counter() - started:.1f} s ({server}, database {name})", flush=True)

        client = Client(HTTP_HOST="localhost")
        rng = random.Random(11)
        measured = {
            "search": measure(client, SEARCH, lambda i: {"q": QUERIES[i % len(QUERIES)]}),
            "detail": measure(client, DETAIL, lambda i: {"id": str(rng.randint(1, count))}),
        }
        results = {label: timings for label, (timings, _sql) in measured.items()}
        print(f"GraphQL timings (ms), {SAMPLES} requests each, in process (Django test client, full middleware)")
        print(f"{'query':>8} {'p50':>8} {'p95':>8} {'max':>8} {'SQL p50':>8} {'SQL p95':>8}")
        for label, (samples, sql) in measured.items():
            print(
                f"{label:>8} {statistics.median(samples):8.1f} {percentile(samples, 95):8.1f} {max(samples):8.1f}"
                f" {statistics.median(sql):8.1f} {percentile(sql, 95):8.1f}",
                flush=True,
            )
        per_query = {}
        for j, elapsed in enumerate(results["search"]):
            per_query.setdefault(QUERIES[(j + 10) % len(QUERIES)], []).append(elapsed)
        per_query = {q: statistics.median(samples) for q, samples in per_query.items()}
        print("search p50 by query: " + ", ".join(f"{q} {ms:.0f}" for q, ms in per_query.items()))
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP_DB") == "1" or reuse:
            print(f"kept database {name} (drop it when done)")
        else:
            dbadmin.drop_database(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
