"""OCR (apps/documents/ocr.py, docs/documents.md): the Tesseract program and the limits of its process."""

from .env import env

# Debian's `tesseract-ocr` with `tesseract-ocr-kor` (Korean) and `tesseract-ocr-eng`; empty: found on PATH.
EZFLOW_OCR_TESSERACT = env.str("EZFLOW_OCR_TESSERACT", default="")
# Address space of one Tesseract process (it needs about 100-250 MB for a 300 DPI page in Korean and English).
EZFLOW_OCR_MEMORY_MB = env.int("EZFLOW_OCR_MEMORY_MB", default=1024)
# CPU seconds for one image or page; the step's own timeout bounds the whole step.
EZFLOW_OCR_CPU_SECONDS = env.int("EZFLOW_OCR_CPU_SECONDS", default=60)
