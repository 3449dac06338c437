"""Files shown to members: the run page lists a run's files with links and previews; the editor asks the API for
links of the files in its output panel."""

import json

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.files.services import file_save
from apps.flows.services.flows import flow_create
from apps.runs.models import Run

pytestmark = pytest.mark.django_db


def test_the_run_page_lists_the_runs_files(data):
    organization = data.create_organization()
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="F", graph={"nodes": [], "edges": []})
    run = Run.objects.create(flow=flow, graph={}, trigger="manual", status="success")
    chart = file_save(data=b"\x89PNG", name="chart.png", run_id=run.pk)
    sheet = file_save(data=b"PK", name="매출.xlsx", run_id=run.pk)
    Run.objects.filter(pk=run.pk).update(input_items=[{"file": sheet}])
    connection.set_schema_to_public()
    viewer = data.create_member(organization, role=Role.VIEWER).user
    client = data.client_for(organization, viewer)
    page = client.get(f"/runs/{run.pk}/").content.decode()
    assert 'data-testid="run-files"' in page and "chart.png" in page and "매출.xlsx" in page
    assert '<img class="file-preview"' in page  # the image is previewed, the workbook only linked
    links = [part.split('"')[0] for part in page.split('href="/files/')[1:]]
    assert links
    assert all(client.get(f"/files/{link.split('?')[0]}").status_code == 200 for link in links)
    assert chart["name"] in page


def test_the_links_api_answers_only_for_the_organizations_files(data):
    ours, theirs = data.create_organization(), data.create_organization()
    connection.set_tenant(ours)
    mine = file_save(data=b"mine", name="mine.txt")
    connection.set_tenant(theirs)
    other = file_save(data=b"theirs", name="theirs.txt")
    connection.set_schema_to_public()
    api = data.editor_api(ours, role=Role.VIEWER)
    response = api.post("/api/v1/files/links", {"files": [mine["$file"], other["$file"]]}, content_type="application/json")
    assert response.status_code == 200
    files = response.json()["files"]
    assert [f["name"] for f in files] == ["mine.txt"] and files[0]["url"].startswith("/files/") and files[0]["size"] == 4
    bad = api.post("/api/v1/files/links", {"files": ["nope"]}, content_type="application/json")
    assert bad.status_code == 400 and json.loads(bad.content)["error"]["code"]
    too_many = api.post("/api/v1/files/links", {"files": [mine["$file"]] * 101}, content_type="application/json")
    assert too_many.status_code == 400
    stranger = data.create_organization()
    assert data.editor_api(stranger).post("/api/v1/files/links", {"files": [mine["$file"]]}, content_type="application/json").json() == {
        "files": []
    }
