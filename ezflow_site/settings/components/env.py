from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]
DATA_DIR = Path(environ.Env().str("EZFLOW_DATA_DIR", default=str(BASE_DIR / ".data")))

env = environ.Env()
