"""The intent model behind LinearIntentClassifier, in plain scikit-learn (no Rasa, no TensorFlow).

Word 1-2-grams and character 2-5-grams (TF-IDF, sublinear) feed a linear SVM; a softmax over
its decision values (with a temperature) gives a ranking. Chosen over DIET on the blind
development set (tests/evaluation/dev3.yml, see tools/bench/findings.md): as accurate or better,
trains in seconds instead of minutes, and needs no TensorFlow graph in memory.

The out-of-scope cut is learnt, not guessed: out-of-fold confidences of the training examples
(stratified k-fold) give the threshold with the best accuracy when everything below it counts
as out of scope. Confidences are then rescaled (a power, so order is kept) to put that cut at
`fallback_threshold`, the value Rasa's FallbackClassifier is configured with.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from rasa_plugins.nlu.glossary import glosses
from rasa_plugins.nlu.negation import PREFIX, WORD_CHARACTER, mark_negated
from rasa_plugins.nlu.sentences import focus, sentences

OUT_OF_SCOPE = "out_of_scope"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"https?://\S+")
_MARKED = re.compile(rf"\b{PREFIX}{WORD_CHARACTER}*")

Ranking = List[Tuple[str, float]]
NEGATION_MODES = ("", "mark", "mark_words")  # LinearSettings.negation


@dataclass(frozen=True)
class LinearSettings:
    C: float = 1.0
    temperature: float = 0.2
    word_ngrams: Tuple[int, int] = (1, 2)
    char_ngrams: Tuple[int, int] = (2, 5)
    # A character n-gram must be in this many training texts to become a feature. 2 since
    # session 13: half the features, as accurate on the development sets (docs/benchmarks.md).
    min_df: int = 2
    # The same for word n-grams: 1 keeps a short reply's only bigram ("no thanks" is in one text).
    word_min_df: int = 1
    cv_folds: int = 3  # for the out-of-fold cut; 5 gave the same figures in session 13, slower
    seed: int = 0
    fallback_threshold: float = 0.5
    # Variants for long reports (rasa_plugins/nlu/sentences.py), off by default:
    focus_weight: float = 0.0  # > 0: word n-grams of the focus sentence as extra features
    sentence_vote: bool = False  # several sentences: whole text and sentences vote
    # Negations of intent (rasa_plugins/nlu/negation.py): "" off; "mark": the scope's words
    # become not_<word> for both vectorizers; "mark_words": that for the word n-grams, and
    # the character n-grams do not see the scope's words at all. Chosen in session 17 on the
    # blind negation set tests/evaluation/dev_negation.yml (tools/bench/findings.md).
    negation: str = "mark_words"


def normalise(text: str) -> str:
    """Lower-case; an address or link counts as what it is, not as its letters; account words
    of other languages bring their English glosses (rasa_plugins/nlu/glossary.py)."""
    text = _URL.sub(" weblink ", _EMAIL.sub(" emailaddress ", text)).lower()
    found = glosses(text)
    return f"{text} {' '.join(found)}" if found else text


def normalise_all(texts: Sequence[str]) -> List[str]:
    return [normalise(text) for text in texts]


def normalise_all_negated(texts: Sequence[str]) -> List[str]:
    return [mark_negated(normalise(text)) for text in texts]


def without_negated(text: str) -> str:
    """The text without its not_<word> words: what the character n-grams see."""
    return _MARKED.sub(" ", text)


def focus_all(texts: Sequence[str]) -> List[str]:
    return [normalise(focus(text)) for text in texts]


def _pipeline(settings: LinearSettings):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import LinearSVC

    def tfidf(
        analyzer: str, ngrams: Tuple[int, int], min_df: int, preprocessor: Any = None
    ) -> TfidfVectorizer:
        return TfidfVectorizer(
            preprocessor=preprocessor,
            analyzer=analyzer,
            ngram_range=tuple(ngrams),
            token_pattern=r"(?u)\b\w+\b",  # keeps one-letter words ("i", "2")
            lowercase=False,  # normalise_all did, once for both vectorizers
            sublinear_tf=True,
            min_df=min_df,
        )

    if settings.negation not in NEGATION_MODES:
        raise ValueError(f"negation must be one of {NEGATION_MODES}, not {settings.negation!r}")
    normaliser = normalise_all_negated if settings.negation else normalise_all
    char_view = without_negated if settings.negation == "mark_words" else None
    features = FeatureUnion(
        [
            ("word", tfidf("word", settings.word_ngrams, settings.word_min_df)),
            ("char", tfidf("char_wb", settings.char_ngrams, settings.min_df, char_view)),
        ]
    )
    # One normalising step before both vectorizers: the glossary look-up runs once per text.
    whole = make_pipeline(FunctionTransformer(normaliser), features)
    if settings.focus_weight > 0:
        focus_words = tfidf("word", settings.word_ngrams, settings.word_min_df)
        focused = make_pipeline(FunctionTransformer(focus_all), focus_words)
        whole = FeatureUnion(
            [("whole", whole), ("focus", focused)],
            transformer_weights={"whole": 1.0, "focus": settings.focus_weight},
        )
    return make_pipeline(whole, LinearSVC(C=settings.C, random_state=settings.seed))


def softmax(decisions: np.ndarray, temperature: float) -> np.ndarray:
    scaled = np.atleast_2d(decisions) / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def best_threshold(top: np.ndarray, labels: np.ndarray, expected: np.ndarray) -> float:
    """The cut with the best accuracy when a top confidence below it means out of scope.

    Ties: the median of the tied cuts, so the choice does not sit on an edge."""
    grid = np.round(np.arange(0.0, 0.96, 0.01), 2)
    scores = [np.mean(np.where(top < cut, OUT_OF_SCOPE, labels) == expected) for cut in grid]
    best = grid[np.asarray(scores) == max(scores)]
    return float(best[(len(best) - 1) // 2])


def power_for(threshold: float, target: float) -> float:
    """The exponent p with threshold**p == target (1 when there is nothing to move)."""
    if not 0 < threshold < 1 or not 0 < target < 1:
        return 1.0
    return math.log(target) / math.log(threshold)


class LinearIntentModel:
    def __init__(self, settings: Optional[LinearSettings] = None) -> None:
        self.settings = settings or LinearSettings()
        self.pipeline = None
        self.threshold = 0.0
        self.power = 1.0

    @property
    def classes(self) -> List[str]:
        return [str(label) for label in self.pipeline.classes_]

    def _probabilities(
        self, pipeline, texts: Sequence[str], whole: Optional[np.ndarray] = None
    ) -> np.ndarray:
        """`whole`: the texts' feature rows when they are at hand (training), else vectorized."""
        if whole is None:
            probabilities = self._softmax(pipeline, texts)
        else:
            probabilities = self._decisions_softmax(pipeline[-1].decision_function(whole))
        if self.settings.sentence_vote:
            for row, text in enumerate(texts):
                parts = sentences(text)
                if len(parts) > 1:  # the whole text and the mean of its sentences, equally
                    vote = self._softmax(pipeline, parts).mean(axis=0)
                    probabilities[row] = (probabilities[row] + vote) / 2
        return probabilities

    def _softmax(self, pipeline, texts: Sequence[str]) -> np.ndarray:
        return self._decisions_softmax(pipeline.decision_function(list(texts)))

    def _decisions_softmax(self, decisions: np.ndarray) -> np.ndarray:
        if decisions.ndim == 1:  # two classes: one column of margins
            decisions = np.column_stack([-decisions, decisions])
        return softmax(decisions, self.settings.temperature)

    def _out_of_fold(
        self, pipeline, matrix, texts: np.ndarray, labels: np.ndarray
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Out-of-fold top confidences and labels, for the cut.

        The vocabulary and IDF are fitted once on every training text and only the SVM per
        fold: vectorizing is most of the cost. An n-gram seen only in the held-out fold gets
        no weight from that fold's SVM, so what leaks is IDF alone."""
        from sklearn.base import clone
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import Pipeline

        smallest = int(np.unique(labels, return_counts=True)[1].min())
        folds = min(self.settings.cv_folds, smallest)
        top = np.zeros(len(texts))
        predicted = np.empty(len(texts), dtype=object)
        if folds < 2:
            return top, labels  # too little data to learn a cut: no cut
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.settings.seed)
        for train, held in splitter.split(texts, labels):
            svm = clone(pipeline[-1]).fit(matrix[train], labels[train])
            fold = Pipeline([*pipeline.steps[:-1], ("svm", svm)])
            probabilities = self._probabilities(fold, texts[held], whole=matrix[held])
            top[held] = probabilities.max(axis=1)
            predicted[held] = svm.classes_[probabilities.argmax(axis=1)]
        return top, predicted

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> LinearIntentModel:
        if len(set(labels)) < 2:
            raise ValueError("the intent model needs examples of at least two intents")
        text_array = np.asarray(list(texts), dtype=object)
        label_array = np.asarray(list(labels), dtype=object)
        pipeline = _pipeline(self.settings)
        # pipeline[:-1] holds the same step objects: fitting it fits the pipeline's features
        matrix = pipeline[:-1].fit_transform(text_array)
        top, predicted = self._out_of_fold(pipeline, matrix, text_array, label_array)
        self.threshold = best_threshold(top, predicted, label_array)
        self.power = power_for(self.threshold, self.settings.fallback_threshold)
        pipeline[-1].fit(matrix, label_array)
        self.pipeline = pipeline
        return self

    def rank(self, texts: Sequence[str]) -> List[Ranking]:
        """Per text: every intent with its rescaled confidence, best first."""
        if not texts:
            return []
        probabilities = self._probabilities(self.pipeline, texts) ** self.power
        classes = self.classes
        rankings = []
        for row in probabilities:
            order = np.argsort(-row, kind="stable")
            rankings.append([(classes[i], float(row[i])) for i in order])
        return rankings


def vectorizers(step: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    """Every text vectorizer inside a (nested) scikit-learn pipeline, by its path of step names."""
    from sklearn.feature_extraction.text import CountVectorizer

    if isinstance(step, CountVectorizer):
        yield path, step
    children = list(getattr(step, "steps", [])) + list(getattr(step, "transformer_list", []))
    for name, child in children:
        yield from vectorizers(child, f"{path}/{name}")


def split_vocabularies(pipeline: Any) -> Tuple[Any, Dict[str, List[str]]]:
    """A copy of the pipeline without vocabularies, and each vocabulary as terms in index order.

    Stored inside the pipeline, a vocabulary of 100,000 n-grams became 120 MB of skops schema
    that took 380 MB to load; as a list of terms it is about 1 MB."""
    bare = copy.deepcopy(pipeline)
    vocabularies = {}
    for path, vectorizer in vectorizers(bare):
        terms = [""] * len(vectorizer.vocabulary_)
        for term, index in vectorizer.vocabulary_.items():
            terms[index] = term
        vocabularies[path] = terms
        del vectorizer.vocabulary_
        vectorizer.__dict__.pop("stop_words_", None)  # terms left out: not needed to predict
    return bare, vocabularies


def join_vocabularies(pipeline: Any, vocabularies: Dict[str, List[str]]) -> Any:
    """Put split_vocabularies' terms back; a path that does not match is an error, not a guess."""
    found = dict(vectorizers(pipeline))
    if set(found) != set(vocabularies):
        raise ValueError(
            f"vocabularies {sorted(vocabularies)} do not fit vectorizers {sorted(found)}"
        )
    for path, terms in vocabularies.items():
        found[path].vocabulary_ = {term: index for index, term in enumerate(terms)}
    return pipeline
