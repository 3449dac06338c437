"""The AI modules pages: upload from the page, the test form made from the description, switching versions and the
comparison view, in English and Korean; viewers read only."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.ai.models import AiModule, AiModuleComparison
from apps.ai.modules import services
from tests.ai.modules.conftest import CHURN_DESCRIPTION


def test_upload_try_and_compare_on_the_pages(data, organization, churn_v1, churn_v2):
    page = data.client_for(organization, data.owner_of(organization))
    empty = page.get("/ai/modules/")
    assert empty.status_code == 200 and "No AI modules yet." in empty.content.decode()
    refused = page.post(
        "/ai/modules/",
        {"name": "Churn", "kind": "onnx", "description": json.dumps(CHURN_DESCRIPTION), "file": SimpleUploadedFile("x.onnx", b"junk")},
    )
    assert refused.status_code == 400 and "The file is not an ONNX model." in refused.content.decode()
    created = page.post(
        "/ai/modules/",
        {
            "name": "Churn",
            "kind": "onnx",
            "summary": "Who may leave",
            "description": json.dumps(CHURN_DESCRIPTION),
            "example": '{"months": 2, "tickets": 6}',
            "file": SimpleUploadedFile("churn.onnx", churn_v1),
        },
    )
    assert created.status_code == 302, created.content.decode()[:300]
    module = AiModule.objects.get()
    detail = page.get(f"/ai/modules/{module.pk}/").content.decode()
    assert 'name="field:months" value="2"' in detail and 'name="field:tickets" value="6"' in detail

    tried = page.post(f"/ai/modules/{module.pk}/", {"action": "test", "version": "1", "field:months": "2", "field:tickets": "6"})
    assert tried.status_code == 200 and 'data-testid="result-label">leaves<' in tried.content.decode()

    added = page.post(
        f"/ai/modules/{module.pk}/",
        {"action": "version", "description": json.dumps(CHURN_DESCRIPTION), "note": "v2", "file": SimpleUploadedFile("v2.onnx", churn_v2)},
    )
    assert added.status_code == 302
    assert (
        page.post(
            f"/ai/modules/{module.pk}/", {"action": "versions", "active_version": "1", "candidate_version": "2", "candidate_share": "25"}
        ).status_code
        == 302
    )
    module.refresh_from_db()
    assert (module.active_version, module.candidate_version, module.candidate_share) == (1, 2, 25)
    services.comparisons_record(
        module_id=module.pk,
        rows=[
            {
                "active_version": 1,
                "candidate_version": 2,
                "active_result": {"label": "leaves"},
                "candidate_result": {"label": "stays"},
                "active_ms": 0.5,
                "candidate_ms": 0.4,
                "agree": False,
            },
            {
                "active_version": 1,
                "candidate_version": 2,
                "active_result": {"label": "stays"},
                "candidate_result": {"label": "stays"},
                "active_ms": 0.7,
                "candidate_ms": 0.6,
                "agree": True,
            },
        ],
    )
    compared = page.get(f"/ai/modules/{module.pk}/").content.decode()
    assert 'data-testid="compared-items">2<' in compared and 'data-testid="agreement">50%<' in compared
    korean = page.get(f"/ai/modules/{module.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "후보" in korean and "버전" in korean
    bad_share = page.post(
        f"/ai/modules/{module.pk}/", {"action": "versions", "active_version": "1", "candidate_version": "1", "candidate_share": "10"}
    )
    assert bad_share.status_code == 400 and "another version than the active one" in bad_share.content.decode()
    assert AiModuleComparison.objects.count() == 2


def test_viewers_read_but_cannot_change_and_other_organizations_get_404(data, organization, churn_v1):
    module = services.ai_module_create(user=None, name="Churn", kind="onnx", description=CHURN_DESCRIPTION, model=churn_v1).module
    viewer = data.create_member(organization, role="viewer")
    page = data.client_for(organization, viewer.user)
    shown = page.get(f"/ai/modules/{module.pk}/").content.decode()
    assert (
        "Churn" in shown
        and 'data-testid="test-form"' not in shown
        and 'data-testid="upload-form"' not in page.get("/ai/modules/").content.decode()
    )
    assert page.post(f"/ai/modules/{module.pk}/delete/").status_code == 404
    other = data.create_organization()
    outsider = data.client_for(other, data.owner_of(other))
    assert outsider.get(f"/ai/modules/{module.pk}/").status_code == 404
