import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.marketplace.models import Template
from apps.marketplace.services import comment_create, rating_set, template_version_yank
from tests.marketplace.support import gql, membership, seed_templates

LIST = """
query($first: Int, $after: String, $query: String, $sort: TemplateSort, $category: String, $tags: [String!],
      $nodeTypes: [String!], $language: String, $minRating: Float) {
  templates(first: $first, after: $after, query: $query, sort: $sort, category: $category, tags: $tags,
            nodeTypes: $nodeTypes, language: $language, minRating: $minRating) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id databaseId title author { displayName } organization { name }
                   ratingAverage ratingSummary { count distribution { stars count } }
                   latestVersion { version nodeTypes } } }
  }
}"""


@pytest.fixture
def org(data):
    return data.create_organization(slug="browse-co")


def titles(body):
    return [edge["node"]["title"] for edge in body["data"]["templates"]["edges"]]


def test_relay_pagination_is_anonymous_on_the_public_host(data, org):
    seed_templates(org, membership(data, org).user, 5)
    public = Client(HTTP_HOST="localhost")
    status, body = gql(public, LIST, {"first": 2, "sort": "NEWEST"})
    assert status == 200, body
    page = body["data"]["templates"]
    assert page["totalCount"] == 5 and page["pageInfo"]["hasNextPage"] and titles(body) == ["Template 4", "Template 3"]
    _, body = gql(public, LIST, {"first": 2, "after": page["pageInfo"]["endCursor"], "sort": "NEWEST"})
    assert titles(body) == ["Template 2", "Template 1"]
    _, body = gql(public, LIST, {"first": 10, "after": body["data"]["templates"]["pageInfo"]["endCursor"], "sort": "NEWEST"})
    assert titles(body) == ["Template 0"] and not body["data"]["templates"]["pageInfo"]["hasNextPage"]
    _, body = gql(public, LIST, {"first": 500})
    assert len(titles(body)) == 5  # capped at 50, never an error


def test_search_korean_substrings_english_words_and_typos(data, org):
    author = membership(data, org).user
    seed_templates(org, author, 1, title="업무자동화 주간 보고")
    seed_templates(org, author, 1, title="Daily sales report to Slack")
    seed_templates(org, author, 1, title="Invoice reminder")
    public = Client(HTTP_HOST="localhost")
    for query, expected in (
        ("자동화", ["업무자동화 주간 보고"]),
        ("주간 자동화", ["업무자동화 주간 보고"]),
        ("reports", ["Daily sales report to Slack"]),  # English stemming
        ("SLACK", ["Daily sales report to Slack"]),
        ("invoise", ["Invoice reminder"]),  # a typo, by trigram similarity
        ("없는말", []),
    ):
        _, body = gql(public, LIST.replace("totalCount", "totalCount similar"), {"query": query, "sort": "RELEVANCE"})
        assert titles(body) == expected, query
        assert body["data"]["templates"]["similar"] is (query == "invoise"), query  # close matches only when nothing matched


def test_filters_and_sorting(data, org):
    author = membership(data, org).user
    [hr] = seed_templates(org, author, 1, title="Onboarding", category="hr", language="en", tags=["people"])
    [sales] = seed_templates(org, author, 1, title="Leads", category="sales", tags=["crm", "slack"])
    [old] = seed_templates(org, author, 1, title="Popular", category="sales")
    Template.objects.filter(pk=old.pk).update(install_count=50, trending_score=1)
    Template.objects.filter(pk=sales.pk).update(trending_score=9)
    rating_set(template=hr, user=data.create_user(), stars=5)
    rating_set(template=sales, user=data.create_user(), stars=2)
    Template.objects.filter(pk=sales.pk).update(node_types=["net.slack", "trigger.manual"])
    public = Client(HTTP_HOST="localhost")

    def run(**variables):
        return titles(gql(public, LIST, variables)[1])

    assert run(category="sales") == ["Popular", "Leads"]
    assert run(tags=["slack", "crm"]) == ["Leads"]
    assert run(nodeTypes=["net.slack"]) == ["Leads"]
    assert run(language="en") == ["Onboarding"]
    assert run(minRating=4.0) == ["Onboarding"]
    assert run(sort="POPULAR")[0] == "Popular"
    assert run(sort="TOP_RATED")[:2] == ["Onboarding", "Leads"]
    assert run(sort="TRENDING")[:2] == ["Leads", "Popular"]
    assert run(sort="NEWEST") == ["Popular", "Leads", "Onboarding"]


def test_a_page_of_50_templates_costs_a_constant_number_of_queries(data, org):
    owner = membership(data, org)
    query = LIST.replace(
        "latestVersion { version nodeTypes }",
        "latestVersion { version } versions { version } comments { body replies { body } } reviews { stars } myRating { stars } "
        "forkedFrom { title } descriptionHtml",
    )
    client = data.client_for(org, owner.user)

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            status, body = gql(client, query, {"first": 50})
        assert status == 200 and "errors" not in body, body
        return len(captured), len(body["data"]["templates"]["edges"])

    def seed(count):
        templates = seed_templates(org, owner.user, count)
        Template.objects.filter(pk__in=[t.pk for t in templates[1::2]]).update(forked_from=templates[0])
        for template in templates[::2]:
            rating_set(template=template, user=data.create_user(), stars=4, review="good")
            comment = comment_create(template=template, user=data.create_user(), body="hi")
            comment_create(template=template, user=data.create_user(), body="reply", parent=comment)

    seed(3)
    small = count_queries()
    seed(52)
    big = count_queries()
    assert small[1] == 3 and big[1] == 50
    assert big[0] == small[0], (small, big)


def test_detail_with_versions_rating_distribution_comments_and_safe_markdown(data, org):
    owner = membership(data, org)
    [template] = seed_templates(org, owner.user, 1, description="**굵게** <script>alert(1)</script> [x](javascript:alert(1))")
    from apps.marketplace.models import TemplateVersion

    TemplateVersion.objects.create(template=template, version="1.1.0", major=1, minor=1, patch=0, graph={"nodes": [], "edges": []})
    template_version_yank(membership=owner, version=template.versions.get(version="1.1.0"))
    kim = data.create_user(name="김철수")
    rating_set(template=template, user=kim, stars=4, review="편해요")
    question = comment_create(template=template, user=kim, body="질문 있어요")
    comment_create(template=template, user=owner.user, body="답변", parent=question)
    detail = """query($id: ID!) { template(id: $id) {
        title descriptionHtml categoryLabel
        versions { version isYanked } installable: versions(includeYanked: false) { version }
        ratingSummary { average count distribution { stars count } }
        reviews { stars review author { displayName } }
        comments { body author { displayName } replies { body } } } }"""
    _, body = gql(Client(HTTP_HOST="localhost"), detail, {"id": str(template.pk)})
    found = body["data"]["template"]
    assert "<strong>굵게</strong>" in found["descriptionHtml"] and "<script>" not in found["descriptionHtml"]
    assert 'href="javascript' not in found["descriptionHtml"]
    assert found["versions"] == [{"version": "1.1.0", "isYanked": True}, {"version": "1.0.0", "isYanked": False}]
    assert found["installable"] == [{"version": "1.0.0"}]
    assert found["ratingSummary"]["average"] == 4.0 and found["ratingSummary"]["distribution"][1] == {"stars": 4, "count": 1}
    assert found["reviews"] == [{"stars": 4, "review": "편해요", "author": {"displayName": "김철수"}}]
    assert found["comments"][0]["body"] == "질문 있어요" and found["comments"][0]["replies"] == [{"body": "답변"}]
    assert "@" not in str(body)  # no email address of anyone
    _, by_global = gql(
        Client(HTTP_HOST="localhost"), "query($id: ID!) { node(id: $id) { ... on Template { title } } }", {"id": _global(template)}
    )
    assert by_global["data"]["node"]["title"] == template.title


def _global(template):
    from graphql_relay import to_global_id

    return to_global_id("Template", template.pk)
