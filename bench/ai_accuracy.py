"""Accuracy of the offline AI steps (apps/ai/offline), printed:

- Korean sentiment model on NSMC's test split (../shared/data/nsmc/ratings_test.txt, CC0; positive when the model's
  margin is above 0: NSMC has no neutral class).
- Sentiment (positive / negative / neutral) of hand-written customer messages in Korean and English
  (bench/data/ai/customer_messages*.tsv; how each set was used is in bench/README.md).
- Dates and times in hand-labelled messages (bench/data/ai/dates.tsv): a message counts when every value found is
  the expected one, in order.

    .venv/bin/python -m bench.ai_accuracy          (or make bench BENCH=ai_accuracy)
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "ai"
NSMC = ROOT.parent / "shared" / "data" / "nsmc" / "ratings_test.txt"


def nsmc_accuracy() -> None:
    from apps.ai.offline.sentiment import korean_model
    from apps.ai.offline.train_sentiment import read_nsmc

    if not NSMC.exists():
        print(f"NSMC test split: skipped ({NSMC} not found)")
        return
    texts, labels = read_nsmc(NSMC)
    model = korean_model()
    started = time.monotonic()
    right = sum((model.margin(text) > 0) == bool(label) for text, label in zip(texts, labels, strict=True))
    seconds = time.monotonic() - started
    print(f"NSMC test split: accuracy {right / len(texts):.4f} on {len(texts):,} reviews ({len(texts) / seconds:,.0f} reviews/s)")


def messages_accuracy(path: Path) -> None:
    from apps.ai.offline.sentiment import analyse

    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    per_language: dict[str, Counter] = {}
    confusion: Counter = Counter()
    for row in rows:
        label = analyse(row["text"]).label
        counts = per_language.setdefault(row["lang"], Counter())
        counts["total"] += 1
        counts["right"] += label == row["label"]
        confusion[(row["label"], label)] += 1
    right = sum(c["right"] for c in per_language.values())
    parts = ", ".join(f"{lang} {c['right'] / c['total']:.3f} ({c['total']})" for lang, c in sorted(per_language.items()))
    print(f"{path.name}: accuracy {right / len(rows):.3f} on {len(rows)} messages; {parts}")
    wrong = {f"{truth}→{found}": n for (truth, found), n in sorted(confusion.items()) if truth != found}
    if wrong:
        print(f"  mistakes (expected→found): {wrong}")


def dates_accuracy() -> None:
    from apps.ai.offline.datetimes import find

    now = dt.datetime(2026, 3, 4, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    lines = [line for line in (DATA / "dates.tsv").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = [line.split("\t") for line in lines[1:]]
    right = 0
    expected_total = found_total = matched = 0
    failures = []
    for text, expected in ((row[0], row[1] if len(row) > 1 else "") for row in rows):
        wanted = [value.strip() for value in expected.split("|") if value.strip()]
        found = [item["value"] for item in find(text, now)]
        expected_total += len(wanted)
        found_total += len(found)
        matched += sum((Counter(wanted) & Counter(found)).values())
        if found == wanted:
            right += 1
        else:
            failures.append(f"    {text!r}: expected {wanted}, found {found}")
    print(
        f"dates.tsv: {right}/{len(rows)} messages exactly right ({right / len(rows):.3f}); values: precision "
        f"{matched / max(found_total, 1):.3f}, recall {matched / max(expected_total, 1):.3f}"
    )
    if failures and "-v" in sys.argv:
        print("\n".join(failures))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    nsmc_accuracy()
    for name in ("customer_messages.tsv", "customer_messages_holdout.tsv", "customer_messages_blind.tsv"):
        messages_accuracy(DATA / name)
    dates_accuracy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
