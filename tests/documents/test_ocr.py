"""OCR: Korean and English text read from pictures drawn here with the shipped Nanum font, from scanned PDFs
(pages that are only pictures) and through the step in a flow; the limited Tesseract process and its errors."""

from __future__ import annotations

import difflib
import os
import shutil

import pytest

from apps.documents import ocr
from apps.flows.engine.context import LocalHost
from apps.flows.engine.errors import NodeError
from apps.flows.nodes.registry import load_builtin_nodes
from tests.documents import builders
from tests.documents.test_steps import flow, stored

HAVE_TESSERACT = bool(shutil.which("tesseract"))
needs_tesseract = pytest.mark.skipif(
    not HAVE_TESSERACT and not os.environ.get("EZFLOW_REQUIRE_OCR"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng)",
)

RECEIPT = ["영수증 번호 2026-1208", "합계 금액: 35,000원", "다음주 화요일 오후 3시에 회의가 있습니다."]
LETTER = ["Total amount due: $1,299.99", "Meeting with Kim Minsu at the Seoul office"]


def similarity(expected: str, got: str) -> float:
    squash = lambda text: "".join(text.split())  # noqa: E731  (spacing is not what is measured)
    return difflib.SequenceMatcher(None, squash(expected), squash(got)).ratio()


@needs_tesseract
def test_korean_and_english_lines_of_a_picture_are_read():
    found = ocr.read(builders.text_image(RECEIPT + LETTER))
    lines = [line for line in found["text"].splitlines() if line.strip()]
    assert lines == RECEIPT + LETTER
    assert found["confidence"] > 0.8
    assert found["pages"] == [{"page": 1, "text": found["text"], "confidence": found["confidence"], "source": "ocr"}]


@needs_tesseract
def test_a_tilted_speckled_photo_is_still_mostly_read():
    found = ocr.read(builders.text_image(RECEIPT, noise=800, angle=1.5))
    assert similarity("\n".join(RECEIPT), found["text"]) > 0.9


@needs_tesseract
def test_english_only_model_does_not_invent_hangul():
    found = ocr.read(builders.text_image(LETTER), language="eng")
    assert [line for line in found["text"].splitlines() if line] == LETTER


@needs_tesseract
def test_scanned_pdf_pages_are_rendered_and_read_and_text_pages_keep_their_text():
    scanned = builders.scanned_pdf([builders.text_image(RECEIPT), builders.text_image(LETTER)])
    found = ocr.read(scanned)
    assert [page["page"] for page in found["pages"]] == [1, 2]
    assert {page["source"] for page in found["pages"]} == {"ocr"}
    assert "합계 금액: 35,000원" in found["pages"][0]["text"] and "Total amount due: $1,299.99" in found["pages"][1]["text"]
    assert [page["page"] for page in ocr.read(scanned, pages="2")["pages"]] == [2]

    typed = builders.pdf_pages(["이 페이지에는 글자 층이 있습니다. This page has a text layer."])
    kept = ocr.read(typed)
    assert kept["pages"][0]["source"] == "text_layer" and kept["confidence"] is None
    assert "글자 층이 있습니다" in kept["text"]
    forced = ocr.read(typed, text_layer=False)
    assert forced["pages"][0]["source"] == "ocr" and similarity(kept["text"], forced["text"]) > 0.9


@needs_tesseract
def test_the_step_reads_files_of_items_in_a_flow():
    host = LocalHost()
    picture = stored(host, builders.text_image(RECEIPT), "영수증.png")
    scan = stored(host, builders.scanned_pdf([builders.text_image(LETTER)]), "scan.pdf")
    result, out = flow(host, [{"file": picture, "from": "kim"}, {"file": scan}], ("documents.ocr", {"output_field": "body"}))
    assert result.status == "success", result.error
    assert out[0]["from"] == "kim" and out[0]["body"].splitlines()[0] == RECEIPT[0]
    assert out[0]["ocr"]["file_name"] == "영수증.png" and out[0]["ocr"]["confidence"] > 0.8
    assert "Total amount due: $1,299.99" in out[1]["body"] and out[1]["ocr"]["pages"][0]["source"] == "ocr"


@needs_tesseract
def test_not_an_image_or_a_damaged_pdf_is_a_clear_step_error():
    host = LocalHost()
    junk = stored(host, b"this is not a picture", "photo.png")
    result, _out = flow(host, [{"file": junk}], ("documents.ocr", {}))
    assert result.status == "failed" and result.error_code == "bad_image"
    broken = stored(host, b"%PDF-1.7\n1 0 obj garbage", "scan.pdf")
    result, _out = flow(host, [{"file": broken}], ("documents.ocr", {}))
    assert result.status == "failed" and result.error_code in ("bad_pdf", "bad_pdf_page")


@needs_tesseract
def test_tesseract_runs_within_its_limits():
    png = ocr.image_png(builders.text_image(RECEIPT))
    with pytest.raises(NodeError) as caught:
        ocr.recognise(png, language="kor+eng", limits_=ocr.Limits(memory_mb=40))
    assert caught.value.code in ("ocr_failed", "ocr_cpu_limit")
    with pytest.raises(NodeError) as caught:
        ocr.recognise(png, language="kor+eng", seconds=0.05)
    assert caught.value.code == "ocr_timeout"
    assert ocr.recognise(png, language="kor+eng")["words"] >= 8  # the same picture within the normal limits


def test_without_tesseract_the_step_says_how_to_install_it(monkeypatch, settings):
    settings.EZFLOW_OCR_TESSERACT = ""
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    host = LocalHost()
    picture = stored(host, builders.text_image(["x"]), "a.png")
    result, _out = flow(host, [{"file": picture}], ("documents.ocr", {}))
    assert result.status == "failed" and result.error_code == "ocr_unavailable"
    assert "tesseract-ocr-kor" in result.error


@needs_tesseract
def test_a_missing_language_model_is_named(monkeypatch):
    monkeypatch.setattr(ocr, "installed_languages", lambda binary: frozenset({"eng"}))
    with pytest.raises(NodeError) as caught:
        ocr.recognise(b"", language="kor+eng")
    assert caught.value.code == "ocr_language_missing" and caught.value.values == {"language": "kor"}


def test_the_step_has_korean_and_english_forms_and_loads_nothing_at_import():
    step = load_builtin_nodes().get("documents.ocr")
    assert step.category == "documents" and step.blocking and step.label["ko"] and step.label["en"]
    for param in step.params:
        assert param.label["ko"] and param.label["en"]
        for _value, label in param.options:
            assert label["ko"] and label["en"]


def test_confidence_and_tidy_text_from_tesseract_output():
    tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    tsv += "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
    tsv += "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90.5\t합계\n5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t70.5\t35,000원\n"
    assert ocr.confidence_of(tsv) == (0.805, 2)
    assert ocr.tidy("합계\n\n\n\n금액  \n\f") == "합계\n\n금액"
