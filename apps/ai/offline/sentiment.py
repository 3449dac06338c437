"""Positive, negative or neutral, with a score from -1 to 1.

Korean: a logistic regression over hashed character n-grams trained on NSMC (models/README.md), plus cues of
customer messages (lexicon.py) that the movie reviews it learnt from do not have. English: VADER (vaderSentiment,
MIT licence: its human-rated lexicon with its rules for negation, intensifiers, "but" and capitals) plus the same kind
of customer-message cues. A question or request with no felt cue is pulled towards neutral. What still reads as
neutral goes to a small model trained on EZFlow's own customer messages, which may call it positive or negative."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from apps.ai.offline import cache, lexicon
from apps.ai.offline.features import normalise, sentiment_features
from apps.ai.offline.language import is_korean

MODEL_PATH = Path(__file__).resolve().parent / "models" / "sentiment_ko.npz"
CUSTOMER_PATH = Path(__file__).resolve().parent / "models" / "sentiment_customer.npz"
# When the reading above is neutral, the customer-message model's felt label wins if it is at least this sure, its
# probabilities softened by a temperature (a few hundred examples make a confident model). Both were chosen by 5-fold
# cross-validation on its training set and checked on bench's development sets (bench/README.md).
CUSTOMER_OVERRIDE = 0.7
CUSTOMER_TEMPERATURE = 2.0
# Questions and polite requests that read as neutral stay neutral (the small model is too sure about their words).
_REQUEST_STARTS = ("please", "could you", "can you", "would you")
_KO_REQUESTS = ("부탁드립니다", "주세요")
# Weight of the movie-review model against the customer-message cues, and the probability band read as neutral.
MODEL_WEIGHT = 0.6
NEUTRAL_BAND = (0.35, 0.65)
_EN_TOKENS = re.compile(r"[a-z]+(?:'[a-z]+)?|n't|[!?]")


@dataclass(frozen=True)
class Sentiment:
    label: str  # "positive" | "negative" | "neutral"
    score: float  # -1 (negative) … 1 (positive)
    language: str

    def as_dict(self) -> dict:
        return {"label": self.label, "score": self.score, "language": self.language}


class KoreanModel:
    def __init__(self, path: Path = MODEL_PATH):
        import numpy as np

        with np.load(path) as data:
            self.weights = data["weights"].astype(np.float32)
            self.bias = float(data["bias"])
            self.bits = int(data["bits"])

    def margin(self, text: str) -> float:
        buckets = sentiment_features(text, self.bits)
        return float(self.weights[buckets].sum()) + self.bias if buckets else 0.0


def korean_model() -> KoreanModel:
    return cache.model("sentiment_ko", KoreanModel)


def _customer():
    import numpy as np

    from apps.ai.offline.classifiers import Trained

    with np.load(CUSTOMER_PATH) as data:
        labels = [str(label) for label in data["labels"]]
        return Trained(labels, data["weights"].astype(np.float32), data["bias"].astype(np.float32), int(data["bits"]))


def customer_model():
    """Positive / negative / neutral from EZFlow's own customer messages (complaints told as plain facts, thanks,
    inquiries, petitions; models/README.md), Korean and English."""
    return cache.model("sentiment_customer", _customer)


def customer_scores(text: str) -> dict[str, float]:
    import numpy as np

    from apps.ai.offline.classifiers import classifier_features

    model = customer_model()
    buckets = classifier_features(text, model.bits)
    z = (model.weights[buckets].sum(axis=0) + model.bias if buckets else model.bias.copy()) / CUSTOMER_TEMPERATURE
    p = np.exp(z - z.max())
    return dict(zip(model.labels, (float(v) for v in p / p.sum()), strict=True))


def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def english_model():
    return cache.model("sentiment_en", _vader)


def _korean_cues(text: str) -> tuple[float, bool]:
    rest = normalise(text) + " "
    score = 0.0
    felt = False
    for cues, sign in ((lexicon.KO_NEGATIVE, -1.0), (lexicon.KO_POSITIVE, 1.0)):
        for cue in sorted(cues, key=len, reverse=True):
            if cue in rest:
                score += sign * cues[cue] * rest.count(cue)
                felt = True
                rest = rest.replace(cue, " ")
    return score, felt


def _english_cues(text: str) -> tuple[float, bool]:
    tokens = _EN_TOKENS.findall(normalise(text).replace("’", "'"))
    score = 0.0
    felt = False
    for index, token in enumerate(tokens):
        value = lexicon.EN_POSITIVE.get(token, 0.0) - lexicon.EN_NEGATIVE.get(token, 0.0)
        if not value:
            continue
        felt = True
        before = tokens[max(0, index - 3) : index]
        if any(word in lexicon.EN_NEGATIONS or word.endswith("n't") for word in before):
            value = -value * 0.8
        if before and before[-1] in lexicon.EN_INTENSIFIERS:
            value *= lexicon.EN_INTENSIFIERS[before[-1]]
        score += value
    if "!" in tokens and score:
        score *= 1.2
    return score, felt


def _is_inquiry(text: str, korean: bool) -> bool:
    stripped = normalise(text)
    if korean:
        return stripped.endswith("?") or any(marker in stripped for marker in lexicon.KO_INQUIRY)
    return stripped.endswith("?") or stripped.startswith(lexicon.EN_INQUIRY_STARTS)


def _is_request(text: str, korean: bool) -> bool:
    stripped = normalise(text)
    if _is_inquiry(text, korean):
        return True
    return any(marker in stripped for marker in _KO_REQUESTS) if korean else stripped.startswith(_REQUEST_STARTS)


def analyse(text: str, language: str = "auto") -> Sentiment:
    text = str(text or "")
    if not text.strip():
        return Sentiment("neutral", 0.0, language if language != "auto" else "unknown")
    korean = is_korean(text) if language == "auto" else language == "ko"
    if korean:
        cues, felt = _korean_cues(text)
        model = max(-6.0, min(6.0, korean_model().margin(text)))
        if _is_inquiry(text, True) and not felt:
            model *= 0.2  # the movie reviews never asked anything: an unsure reading of a plain question means little
        elif not felt:
            model *= 0.6
        z = MODEL_WEIGHT * model + cues
    else:
        cues, felt = _english_cues(text)
        compound = english_model().polarity_scores(text)["compound"]
        z = 3.0 * compound + 0.5 * cues
        if _is_inquiry(text, False) and abs(z) < 2.0:
            z *= 0.5
    probability = 1.0 / (1.0 + math.exp(-z))
    label = "positive" if probability >= NEUTRAL_BAND[1] else "negative" if probability <= NEUTRAL_BAND[0] else "neutral"
    score = round(2 * probability - 1, 4)
    if label == "neutral" and not _is_request(text, korean):
        # A complaint told as a plain fact ("the parcel never came") has no feeling word for the lexicons and the
        # movie-review model; the customer-message model learnt such messages.
        scores = customer_scores(text)
        felt = max(("positive", "negative"), key=scores.get)
        if scores[felt] >= CUSTOMER_OVERRIDE:
            label = felt
            score = round(scores[felt] if felt == "positive" else -scores[felt], 4)
    return Sentiment(label, score, "ko" if korean else "en")
