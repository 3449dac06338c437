"""Classifying text into labels: zero-shot from the labels' names and example phrases (character n-gram similarity),
or with a model trained from the organization's examples (softmax regression over hashed n-grams, in numpy), stored
as a versioned `TextClassifier` in the organization's schema."""

from __future__ import annotations

import io
import math
import random
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

from apps.ai.offline.features import char_ngrams, hashed, word_tokens
from apps.flows.engine.errors import NodeError, gettext_noop

TRAINED_BITS = 16
MAX_EXAMPLES = 20_000
MAX_LABELS = 100
MIN_EXAMPLES_PER_LABEL = 1


# Zero-shot -----------------------------------------------------------------------------------------------------------


def _vector(text: str) -> dict[str, float]:
    counts = Counter(char_ngrams(text, (2, 3, 4)))
    return {gram: 1.0 + math.log(count) for gram, count in counts.items() if gram.strip()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _containment(phrase: dict[str, float], text: dict[str, float]) -> float:
    """How much of a phrase's n-grams the text has: a short phrase inside a long message counts fully."""
    total = sum(phrase.values())
    return sum(value for key, value in phrase.items() if key in text) / total if total else 0.0


@dataclass(frozen=True)
class LabelSpec:
    label: str
    phrases: tuple[str, ...]

    @property
    def vectors(self) -> list[dict[str, float]]:
        found = self.__dict__.get("_vectors")
        if found is None:
            found = [_vector(phrase) for phrase in self.phrases]
            object.__setattr__(self, "_vectors", found)  # computed once per step execution, not per item
        return found


def label_specs(entries) -> list[LabelSpec]:
    specs = []
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        label = str(entry.get("label") or "").strip()
        if not label:
            continue
        raw = entry.get("examples") or ""
        examples = raw if isinstance(raw, list) else str(raw).replace("\n", ",").split(",")
        phrases = tuple(p for p in (str(e).strip() for e in [label, *examples]) if p)
        specs.append(LabelSpec(label, phrases))
    if not specs:
        raise NodeError(gettext_noop("Add at least one label to classify into."), code="ai_no_labels")
    return specs


def zero_shot(text: str, specs: list[LabelSpec], min_score: float, fallback: str) -> dict:
    vector = _vector(text)
    scores = {}
    for spec in specs:
        best = 0.0
        for pv in spec.vectors:
            best = max(best, 0.6 * _containment(pv, vector) + 0.4 * _cosine(pv, vector))
        scores[spec.label] = round(best, 4)
    label = max(scores, key=scores.get) if scores else fallback
    if scores.get(label, 0.0) < min_score:
        label = fallback
    return {"label": label, "score": scores.get(label, 0.0), "scores": scores}


# Trained -------------------------------------------------------------------------------------------------------------


def classifier_features(text: str, bits: int) -> list[int]:
    return sorted(hashed(char_ngrams(text, (1, 2, 3)) + word_tokens(text), bits))


@dataclass
class Trained:
    labels: list[str]
    weights: object  # numpy (2**bits, labels) float32
    bias: object
    bits: int

    def scores(self, text: str) -> dict[str, float]:
        import numpy as np

        buckets = classifier_features(text, self.bits)
        z = self.weights[buckets].sum(axis=0) + self.bias if buckets else self.bias.copy()
        z = z - z.max()
        p = np.exp(z) / np.exp(z).sum()
        return {label: round(float(value), 4) for label, value in zip(self.labels, p, strict=True)}

    def predict(self, text: str) -> dict:
        scores = self.scores(text)
        label = max(scores, key=scores.get)
        return {"label": label, "score": scores[label], "scores": scores}

    def dump(self) -> bytes:
        import numpy as np

        buffer = io.BytesIO()
        np.savez_compressed(buffer, weights=self.weights.astype(np.float16), bias=self.bias, bits=np.int64(self.bits))
        return buffer.getvalue()

    @classmethod
    def load(cls, labels: list[str], data: bytes) -> Trained:
        import numpy as np

        with np.load(io.BytesIO(bytes(data))) as arrays:
            return cls(list(labels), arrays["weights"].astype(np.float32), arrays["bias"].astype(np.float32), int(arrays["bits"]))


def _fit(rows: list[list[int]], targets: list[int], classes: int, bits: int, rate: float = 0.5, l2: float = 1e-4):
    import numpy as np

    epochs = max(3, min(30, 30_000 // max(len(rows), 1)))  # small sets need passes, large ones have enough steps
    size = 1 << bits
    weights = np.zeros((size, classes), dtype=np.float32)
    squares = np.full((size, classes), 1e-8, dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    order = list(range(len(rows)))
    shuffle = random.Random(1234).shuffle
    for _epoch in range(epochs):
        shuffle(order)
        for index in order:
            buckets = rows[index]
            z = weights[buckets].sum(axis=0) + bias
            z -= z.max()
            p = np.exp(z)
            p /= p.sum()
            p[targets[index]] -= 1.0
            grad = p[None, :] + l2 * weights[buckets]
            squares[buckets] += grad * grad
            weights[buckets] -= rate * grad / np.sqrt(squares[buckets])
            bias -= 0.1 * rate * p
    return weights, bias


def train(texts: list[str], labels: list[str]) -> tuple[Trained, float | None]:
    """A model from examples, and its accuracy on a held-out fifth (None with fewer than 20 examples or a label
    with fewer than 2)."""
    classes = sorted(set(labels))
    index = {label: i for i, label in enumerate(classes)}
    rows = [classifier_features(text, TRAINED_BITS) for text in texts]
    targets = [index[label] for label in labels]
    accuracy = None
    counts = Counter(labels)
    if len(texts) >= 20 and min(counts.values()) >= 2:
        picked = list(range(len(texts)))
        random.Random(42).shuffle(picked)
        held = set(picked[: max(len(texts) // 5, len(classes))])
        train_rows = [i for i in range(len(texts)) if i not in held]
        weights, bias = _fit([rows[i] for i in train_rows], [targets[i] for i in train_rows], len(classes), TRAINED_BITS)
        probe = Trained(classes, weights, bias, TRAINED_BITS)
        right = sum(probe.predict(texts[i])["label"] == labels[i] for i in held)
        accuracy = round(right / len(held), 4)
    weights, bias = _fit(rows, targets, len(classes), TRAINED_BITS)
    return Trained(classes, weights, bias, TRAINED_BITS), accuracy


# Storage -------------------------------------------------------------------------------------------------------------

_loaded: OrderedDict = OrderedDict()
_loaded_lock = threading.Lock()
LOADED_MAX = 16  # models kept per process; a model is ~1-5 MB in memory


def _organization(host):
    return getattr(host, "organization", None)


def save(host, *, name: str, model: Trained, examples: int, accuracy: float | None, flow_id=None, run_id=None) -> int:
    """Stores a new version (the organization's schema, or the host itself when there is no database) and returns it."""
    if _organization(host) is None:
        if not hasattr(host, "ai_classifiers"):
            host.ai_classifiers = {}
        versions = host.ai_classifiers.setdefault(name, [])
        versions.append({"labels": model.labels, "weights": model.dump(), "examples": examples, "accuracy": accuracy})
        return len(versions)
    from django.db import IntegrityError, transaction
    from django.db.models import Max

    from apps.ai.models import TextClassifier

    for _attempt in range(3):  # two trainings of the same name at once: the loser takes the next number
        try:
            with transaction.atomic():
                latest = TextClassifier.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
                TextClassifier.objects.create(
                    name=name,
                    version=latest + 1,
                    labels=model.labels,
                    weights=model.dump(),
                    examples=examples,
                    accuracy=accuracy,
                    flow_id=flow_id,
                    run_id=run_id,
                )
                return latest + 1
        except IntegrityError:
            continue
    raise NodeError(
        gettext_noop("Another run is saving the classifier “%(name)s”; try again."), code="ai_classifier_busy", values={"name": name}
    )


def load(host, *, name: str, version: int | None) -> tuple[Trained, int]:
    if _organization(host) is None:
        versions = getattr(host, "ai_classifiers", {}).get(name) or []
        number = version or len(versions)
        if not versions or not 1 <= number <= len(versions):
            raise _missing(name, version)
        row = versions[number - 1]
        return Trained.load(row["labels"], row["weights"]), number
    from django.db import connection

    from apps.ai.models import TextClassifier

    rows = TextClassifier.objects.filter(name=name)
    row = (rows.filter(version=version) if version else rows.order_by("-version")).only("id", "version", "labels").first()
    if row is None:
        raise _missing(name, version)
    key = (connection.schema_name, row.pk)
    with _loaded_lock:
        if key in _loaded:
            _loaded.move_to_end(key)
            return _loaded[key], row.version
    weights = TextClassifier.objects.filter(pk=row.pk).values_list("weights", flat=True).get()
    model = Trained.load(row.labels, weights)
    with _loaded_lock:
        _loaded[key] = model
        while len(_loaded) > LOADED_MAX:
            _loaded.popitem(last=False)
    return model, row.version


def _missing(name: str, version: int | None) -> NodeError:
    if version:
        return NodeError(
            gettext_noop("The classifier “%(name)s” has no version %(version)s. Train it first with the step “Train a classifier”."),
            code="ai_classifier_missing",
            values={"name": name, "version": str(version)},
        )
    return NodeError(
        gettext_noop("There is no classifier named “%(name)s” in this organization. Train it first with the step “Train a classifier”."),
        code="ai_classifier_missing",
        values={"name": name},
    )
