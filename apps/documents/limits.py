"""Limits that keep one document from taking a worker's memory or time. A file over them is a clear error."""

MAX_FILE_BYTES = 50 * 1024 * 1024  # a document read or template used by a step
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all parts of an .xlsx/.docx/.hwpx together, once decompressed
MAX_ZIP_RATIO = 200  # decompressed / compressed size of one part: more is a zip bomb, not a document
MAX_ROWS = 1_000_000  # rows read from or written to a sheet or CSV in one step
DEFAULT_MAX_ROWS = 100_000
MAX_PAGES = 2_000  # pages of a PDF read, split or merged
MAX_MERGE_FILES = 200
MAX_OUTPUT_CHARACTERS = 20_000_000  # text extracted from one document
MAX_IMAGE_PIXELS = 60_000_000  # about 7,700 × 7,700: larger images are refused before they are decoded
MAX_IMAGE_SIDE = 20_000
MAX_TEMPLATE_REPEATS = 50_000  # rows made by data-each in an HTML template, all loops together
MAX_HWP_RECORD_BYTES = 64 * 1024 * 1024
