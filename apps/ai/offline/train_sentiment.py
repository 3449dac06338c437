"""Trains the Korean sentiment model on NSMC and writes apps/ai/offline/models/sentiment_ko.npz.

    .venv/bin/python -m apps.ai.offline.train_sentiment [--data ../shared/data/nsmc] [--bits 20] [--epochs 6]
        [--customer apps/ai/offline/data/customer_sentiment_train.tsv] [--customer-repeat 20]

Logistic regression over hashed character 1–4-grams, words and word pairs (apps/ai/offline/features.py), trained with
mini-batch AdaGrad and L2 in numpy only. The data is read where it lies and never copied into the repository; the
model stores only the weights (float16) and the settings needed to compute the same features.

The Korean positive and negative messages of EZFlow's own customer-message training set (written and labelled for
EZFlow, kept in the repository: data/customer_sentiment_train.tsv) are added `--customer-repeat` times each, so
complaints, thanks and petitions weigh next to 150,000 movie reviews."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "nsmc"
OUTPUT = Path(__file__).resolve().parent / "models" / "sentiment_ko.npz"
CUSTOMER = Path(__file__).resolve().parent / "data" / "customer_sentiment_train.tsv"


def read_customer(path: Path, *, language: str | None = None) -> list[tuple[str, str, str]]:
    """(language, label, text) rows of a customer-message set (lang, label, text; tab-separated)."""
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["lang"], r["label"], r["text"]) for r in rows if language is None or r["lang"] == language]


def read_nsmc(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) == 3 and row[1].strip():
                texts.append(row[1])
                labels.append(int(row[2]))
    return texts, labels


def featurise(texts: list[str], bits: int):
    import numpy as np

    from apps.ai.offline.features import sentiment_features

    rows = [sentiment_features(text, bits) for text in texts]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    return indptr, indices


def margins(weights, bias, indptr, indices):
    import numpy as np

    sums = np.add.reduceat(weights[indices], indptr[:-1]) if len(indices) else np.zeros(len(indptr) - 1)
    sums[indptr[1:] == indptr[:-1]] = 0.0  # reduceat gives the next row's first value for empty rows
    return sums + bias


def train(indptr, indices, labels, *, bits: int, epochs: int, l2: float, rate: float, batch: int = 512, seed: int = 1234):
    import numpy as np

    size = 1 << bits
    weights = np.zeros(size, dtype=np.float64)
    squares = np.full(size, 1e-8)
    bias, bias_squares = 0.0, 1e-8
    y = np.asarray(labels, dtype=np.float64)
    rng = np.random.default_rng(seed)
    count = len(y)
    for epoch in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, batch):
            docs = order[start : start + batch]
            lengths = indptr[docs + 1] - indptr[docs]
            cols = np.concatenate([indices[indptr[d] : indptr[d + 1]] for d in docs])
            owner = np.repeat(np.arange(len(docs)), lengths)
            z = np.bincount(owner, weights=weights[cols], minlength=len(docs)) + bias
            error = 1.0 / (1.0 + np.exp(-z)) - y[docs]
            touched, inverse = np.unique(cols, return_inverse=True)
            grad = np.bincount(inverse, weights=error[owner]) / len(docs) + l2 * weights[touched]
            squares[touched] += grad**2
            weights[touched] -= rate * grad / np.sqrt(squares[touched])
            bias_grad = error.mean()
            bias_squares += bias_grad**2
            bias -= rate * bias_grad / np.sqrt(bias_squares)
        print(f"epoch {epoch + 1}/{epochs}", file=sys.stderr)
    return weights, bias


def accuracy(weights, bias, indptr, indices, labels) -> float:
    import numpy as np

    predicted = margins(weights, bias, indptr, indices) > 0
    return float((predicted == np.asarray(labels, dtype=bool)).mean())


def main(argv=None) -> int:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bits", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--l2", type=float, default=1e-6)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--customer", type=Path, default=CUSTOMER)
    parser.add_argument("--customer-repeat", type=int, default=20)
    args = parser.parse_args(argv)
    started = time.monotonic()
    texts, labels = read_nsmc(args.data / "ratings_train.txt")
    if args.customer_repeat > 0:
        korean = read_customer(args.customer, language="ko")
        felt = [(text, int(label == "positive")) for _lang, label, text in korean if label != "neutral"]
        texts += [text for text, _label in felt] * args.customer_repeat
        labels += [label for _text, label in felt] * args.customer_repeat
        print(f"customer messages: {len(felt)} x {args.customer_repeat}", file=sys.stderr)
    test_texts, test_labels = read_nsmc(args.data / "ratings_test.txt")
    indptr, indices = featurise(texts, args.bits)
    test_indptr, test_indices = featurise(test_texts, args.bits)
    print(f"features: {time.monotonic() - started:.0f} s", file=sys.stderr)
    weights, bias = train(indptr, indices, labels, bits=args.bits, epochs=args.epochs, l2=args.l2, rate=args.rate)
    stored = weights.astype(np.float16)
    print(f"train accuracy {accuracy(stored.astype(np.float64), bias, indptr, indices, labels):.4f}")
    print(f"test accuracy {accuracy(stored.astype(np.float64), bias, test_indptr, test_indices, test_labels):.4f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, weights=stored, bias=np.float64(bias), bits=np.int64(args.bits))
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
