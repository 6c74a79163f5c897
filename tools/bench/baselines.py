"""A classical baseline: TF-IDF features + logistic regression, with an out-of-scope threshold.

Trained on exactly the examples Rasa trains on (tools.bench.training_data), the same intents
included (`out_of_scope` and the conversation intents are ordinary classes). On top of that,
a prediction whose top probability is below `threshold` counts as `out_of_scope`, the way
the project's FallbackClassifier turns a low-confidence parse into `nlu_fallback`.

The threshold is chosen by stratified k-fold cross-validation on the TRAINING data only:
out-of-fold probabilities for every training example, then the grid value with the highest
out-of-fold accuracy (ties: the median of the tied values). No evaluation set is involved.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

OUT_OF_SCOPE = "out_of_scope"


def _default_grid() -> Tuple[float, ...]:
    return tuple(round(x, 2) for x in np.arange(0.0, 0.96, 0.01))


@dataclass(frozen=True)
class TfidfSettings:
    """Every setting of the baseline; written to the report as is."""

    word_ngram_range: Tuple[int, int] = (1, 2)
    char_ngram_range: Tuple[int, int] = (2, 5)
    lowercase: bool = True
    sublinear_tf: bool = True
    min_df: int = 1
    C: float = 10.0
    max_iter: int = 3000
    class_weight: Optional[str] = None
    cv_folds: int = 5
    seed: int = 0
    threshold_grid: Tuple[float, ...] = field(default_factory=_default_grid)

    def describe(self) -> Dict[str, Any]:
        settings = asdict(self)
        grid = settings.pop("threshold_grid")
        settings["threshold_grid"] = f"{grid[0]}..{grid[-1]} ({len(grid)} values)"
        settings["features"] = (
            "TfidfVectorizer(analyzer='word', token_pattern=r'(?u)\\b\\w+\\b', "
            f"ngram_range={self.word_ngram_range}) + TfidfVectorizer(analyzer='char_wb', "
            f"ngram_range={self.char_ngram_range}), both lowercase={self.lowercase}, "
            f"sublinear_tf={self.sublinear_tf}, min_df={self.min_df}, l2-normalised, "
            "concatenated (FeatureUnion)"
        )
        settings["classifier"] = (
            f"LogisticRegression(C={self.C}, solver='lbfgs', multinomial, "
            f"max_iter={self.max_iter}, class_weight={self.class_weight})"
        )
        return settings


def build_pipeline(settings: TfidfSettings):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    common = dict(lowercase=settings.lowercase, sublinear_tf=settings.sublinear_tf)
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    token_pattern=r"(?u)\b\w+\b",  # keeps one-letter words ("i", "2")
                    ngram_range=settings.word_ngram_range,
                    min_df=settings.min_df,
                    **common,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=settings.char_ngram_range,
                    min_df=settings.min_df,
                    **common,
                ),
            ),
        ]
    )
    classifier = LogisticRegression(
        C=settings.C,
        max_iter=settings.max_iter,
        class_weight=settings.class_weight,
        random_state=settings.seed,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def apply_threshold(
    probabilities: np.ndarray, classes: Sequence[str], threshold: float
) -> List[Tuple[str, float]]:
    """(label, top probability) per row; below `threshold` the label is out_of_scope."""
    top = probabilities.argmax(axis=1)
    result = []
    for row, index in enumerate(top):
        confidence = float(probabilities[row, index])
        label = OUT_OF_SCOPE if confidence < threshold else str(classes[index])
        result.append((label, confidence))
    return result


def choose_threshold(
    probabilities: np.ndarray,
    classes: Sequence[str],
    expected: Sequence[str],
    grid: Sequence[float],
) -> Tuple[float, List[Dict[str, float]]]:
    """The grid value with the best accuracy (ties: their median) and the whole curve."""
    expected_array = np.asarray(expected)
    top = probabilities.max(axis=1)
    labels = np.asarray(classes)[probabilities.argmax(axis=1)]
    curve = []
    for threshold in grid:
        predicted = np.where(top < threshold, OUT_OF_SCOPE, labels)
        in_scope = expected_array != OUT_OF_SCOPE
        curve.append(
            {
                "threshold": float(threshold),
                "accuracy": round(float(np.mean(predicted == expected_array)), 4),
                "in_scope_false_refusal": round(
                    float(np.mean(predicted[in_scope] == OUT_OF_SCOPE)) if in_scope.any() else 0,
                    4,
                ),
            }
        )
    accuracies = np.array([point["accuracy"] for point in curve])
    best = [point["threshold"] for point in curve if point["accuracy"] == accuracies.max()]
    chosen = best[(len(best) - 1) // 2]  # median of the tied values (lower middle)
    return float(chosen), curve


class TfidfLogReg:
    """fit(texts, intents) chooses the threshold by CV and trains on all of them."""

    name = "tfidf_logreg"

    def __init__(self, settings: Optional[TfidfSettings] = None, threshold: Optional[float] = None):
        self.settings = settings or TfidfSettings()
        self.fixed_threshold = threshold
        self.threshold: Optional[float] = threshold
        self.pipeline = None
        self.cv: Dict[str, Any] = {}
        self.train_seconds: Optional[float] = None

    @property
    def classes(self) -> List[str]:
        return list(self.pipeline.classes_)

    def _out_of_fold_probabilities(
        self, texts: Sequence[str], intents: Sequence[str]
    ) -> Tuple[np.ndarray, List[str]]:
        from sklearn.model_selection import StratifiedKFold

        classes = sorted(set(intents))
        probabilities = np.zeros((len(texts), len(classes)))
        folds = StratifiedKFold(
            n_splits=self.settings.cv_folds, shuffle=True, random_state=self.settings.seed
        )
        text_array, intent_array = np.asarray(texts, dtype=object), np.asarray(intents)
        for train_index, test_index in folds.split(text_array, intent_array):
            model = build_pipeline(self.settings).fit(
                list(text_array[train_index]), intent_array[train_index]
            )
            columns = [classes.index(c) for c in model.classes_]
            probabilities[np.ix_(test_index, columns)] = model.predict_proba(
                list(text_array[test_index])
            )
        return probabilities, classes

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> TfidfLogReg:
        if len(texts) != len(intents) or not texts:
            raise ValueError("texts and intents must be non-empty and of the same length")
        start = time.perf_counter()
        if self.fixed_threshold is None:
            cv_start = time.perf_counter()
            probabilities, classes = self._out_of_fold_probabilities(texts, intents)
            self.threshold, curve = choose_threshold(
                probabilities, classes, intents, self.settings.threshold_grid
            )
            chosen = next(p for p in curve if p["threshold"] == self.threshold)
            no_threshold = curve[0]
            self.cv = {
                "folds": self.settings.cv_folds,
                "examples": len(texts),
                "objective": "out-of-fold accuracy on the training data "
                "(below the threshold counts as out_of_scope); ties: median",
                "threshold": self.threshold,
                "out_of_fold_accuracy": chosen["accuracy"],
                "out_of_fold_accuracy_without_threshold": no_threshold["accuracy"],
                "out_of_fold_in_scope_false_refusal": chosen["in_scope_false_refusal"],
                "seconds": round(time.perf_counter() - cv_start, 2),
                "curve": curve[::5],
            }
        self.pipeline = build_pipeline(self.settings).fit(list(texts), list(intents))
        self.train_seconds = round(time.perf_counter() - start, 2)
        return self

    def predict(self, texts: Sequence[str]) -> List[Tuple[str, float]]:
        if self.pipeline is None:
            raise RuntimeError("fit first")
        probabilities = self.pipeline.predict_proba(list(texts))
        return apply_threshold(probabilities, self.classes, self.threshold or 0.0)
