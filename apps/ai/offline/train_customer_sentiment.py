"""Trains the customer-message sentiment model (positive / negative / neutral, Korean and English) and writes
apps/ai/offline/models/sentiment_customer.npz.

    .venv/bin/python -m apps.ai.offline.train_customer_sentiment

The data is EZFlow's own set (data/customer_sentiment_train.tsv: complaints, thanks, inquiries, petitions and chat
messages written and labelled for EZFlow, kept in the repository), never the evaluation sets in bench/data/ai. The
model is the trained-classifier step's softmax regression (classifiers.train: hashed character 1–3-grams and words,
numpy, AdaGrad); its 5-fold cross-validated accuracy on the training set is printed."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from apps.ai.offline.train_sentiment import CUSTOMER, read_customer

OUTPUT = Path(__file__).resolve().parent / "models" / "sentiment_customer.npz"


def cross_validated(rows, folds: int = 5) -> float:
    from apps.ai.offline.classifiers import train

    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    right = 0
    for fold in range(folds):
        held = set(order[fold::folds])
        model, _accuracy = train([rows[i][2] for i in order if i not in held], [rows[i][1] for i in order if i not in held])
        right += sum(model.predict(rows[i][2])["label"] == rows[i][1] for i in held)
    return right / len(rows)


def main(argv=None) -> int:
    import io

    import numpy as np

    from apps.ai.offline.classifiers import train

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=CUSTOMER)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = read_customer(args.data)
    print(f"{len(rows)} messages; 5-fold cross-validated accuracy {cross_validated(rows):.3f}", file=sys.stderr)
    model, _accuracy = train([text for _lang, _label, text in rows], [label for _lang, label, _text in rows])
    with np.load(io.BytesIO(model.dump())) as arrays:
        np.savez_compressed(args.output, labels=np.array(model.labels), **{name: arrays[name] for name in arrays.files})
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
