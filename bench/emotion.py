"""Emotion scoring on the held-out multilingual evaluation set.

Run: ``.venv/bin/python bench/emotion.py [--no-write] [--tune 0.01,0.03,0.1]``

Trains the classifier of ``wowdesk.intelligence.emotion`` on ``data/emotion_train*.jsonl`` (timed),
then scores every message of ``data/emotion_eval.jsonl`` (12 languages, 5 labels) and of
``data/emotion_culture_eval.jsonl`` (politeness and distress across cultures, 8 languages) and
reports, overall and per language (and per kind of message for the second set): accuracy,
macro-F1, accuracy within one label step, the mean absolute error of the score against the
target score, and the confusion matrix.

Peers in the same run, so improvements read as ratios:

* ``cues_only``: the rule-based cues alone (hostile cue -> angry, negative emoji -> frustrated,
  positive emoji -> delighted, else neutral);
* ``vader``: VADER's compound score on every message, cut into five bins (skipped if
  ``vaderSentiment`` is not installed) — an English lexicon applied as-is to all languages;
* ablations of the chosen method: without the hostile-cue cap, and without the cue features.

Speed is µs per message scoring one message at a time (what the app does for each inbound
message), with the methods timed message by message in turn so a busy machine slows them alike;
memory is the resident set size of this process. Prints JSON, compares with
``bench/results/emotion.json`` when present, then writes the new result there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from wowdesk.intelligence import emotion as E  # noqa: E402
from wowdesk.intelligence import emotion_cues as C  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "emotion.json"
COMPARED = ("accuracy", "macro_f1", "score_mae", "p50_us", "p99_us")
Scorer = Callable[[str, str], tuple[float, str]]


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100), nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(os.getloadavg()[0], 2),
        "platform": platform.platform(terse=True),
    }


def _numbers(data: Any, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_numbers(value, f"{prefix}{key}."))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out[prefix.rstrip(".")] = float(data)
    return out


def compare(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """``new/old`` for every compared number present in both runs."""
    a, b = _numbers(new.get("methods", {})), _numbers(old.get("methods", {}))
    a.update(_numbers(new.get("speed", {}), "speed."))
    b.update(_numbers(old.get("speed", {}), "speed."))
    return {
        key: {"old": b[key], "new": a[key], "new/old": round(a[key] / b[key], 3)}
        for key in sorted(a)
        if key in b and b[key] and key.endswith(COMPARED) and ".per_language." not in key
    }


def rss_mb() -> dict[str, float]:
    """Current and peak resident set size of this process, in MB (Linux /proc)."""
    out = {"rss_mb": 0.0, "peak_rss_mb": 0.0}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
            elif line.startswith("VmHWM:"):
                out["peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def _bin(score: float) -> str:
    edges = (-0.6, -0.05, 0.05, 0.6)
    return E.LABELS[sum(score > e for e in edges)]


def cues_only(text: str, language: str) -> tuple[float, str]:
    names = set(C.detect(text, language).names)
    if names & C.HOSTILE_CUES:
        return -1.0, "angry"
    if "negative_emoji" in names:
        return -0.5, "frustrated"
    if "positive_emoji" in names:
        return 1.0, "delighted"
    return 0.0, "neutral"


def vader_scorer() -> Scorer | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()

    def vader(text: str, language: str) -> tuple[float, str]:
        compound = float(analyzer.polarity_scores(text)["compound"])
        return compound, _bin(compound)

    return vader


def shared_data_dir() -> Path:
    override = os.environ.get("WOWDESK_SHARED_DATA_DIR")
    return Path(override) if override else ROOT.parent / "shared" / "data"


def held_out_neutral(train_set: Sequence[E.Example], per_source: int = 40) -> list[E.Example]:
    """Neutral requests the classifier never saw: Bitext customer-support utterances (English,
    the intents without complaints) and xSID assistant requests (8 languages), taken at a fixed
    stride and skipping every sentence of the training set. Empty if the data is not there."""
    seen = {e.text for e in train_set}
    out: list[E.Example] = []
    base = shared_data_dir()
    bitext = (
        base
        / "bitext"
        / "Bitext_Sample_Customer_support_Training_Dataset_GPT3.5_6480rows_commita6d3265.csv"
    )
    if bitext.exists():
        import csv

        with bitext.open(encoding="utf-8") as handle:
            rows = [
                r["instruction"].strip()
                for r in csv.DictReader(handle)
                if r["intent"] not in {"complaint", "review"} and not set(r["tags"]) & set("WZ")
            ]
        picked = [t for t in rows[7::97] if t not in seen and "{{" not in t]
        out += [E.Example(t, "en", "neutral", 0.0) for t in picked[: per_source * 2]]
    for lang in ("en", "de", "it", "nl", "tr", "zh", "ja", "ar"):
        path = base / "xsid" / f"{lang}.valid.conll"
        if not path.exists():
            continue
        texts = [
            line[len("# text = ") :].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")
        ]
        if lang == "ja":
            texts = [t.replace(" ", "") for t in texts]  # xSID tokenises Japanese with spaces
        picked = [t for t in texts[3::7] if t not in seen][:per_source]
        out += [E.Example(t, lang, "neutral", 0.0) for t in picked]
    return out


def false_alarms(emotions: Sequence[E.Emotion], examples: Sequence[E.Example]) -> dict[str, Any]:
    """Share of neutral requests labelled angry or frustrated (an agent would be paged)."""
    by_lang: dict[str, list[bool]] = {}
    for em, ex in zip(emotions, examples, strict=True):
        by_lang.setdefault(ex.language, []).append(em.label in ("angry", "frustrated"))
    flags = [f for v in by_lang.values() for f in v]
    return {
        "n": len(flags),
        "negative_rate": round(sum(flags) / len(flags), 4) if flags else 0.0,
        "angry_rate": round(sum(em.label == "angry" for em in emotions) / len(emotions), 4)
        if emotions
        else 0.0,
        "per_language_negative_rate": {
            lang: round(sum(v) / len(v), 4) for lang, v in sorted(by_lang.items())
        },
    }


def metrics(gold: Sequence[E.Example], predicted: Sequence[tuple[float, str]]) -> dict[str, Any]:
    """Accuracy, macro-F1, within-one, score MAE and confusion, overall and per language."""

    def block(items: list[tuple[E.Example, tuple[float, str]]]) -> dict[str, Any]:
        y = np.array([E.LABELS.index(g.label) for g, _ in items])
        p = np.array([E.LABELS.index(label) for _, (_, label) in items])
        f1s = []
        for k in range(len(E.LABELS)):
            tp = int(((p == k) & (y == k)).sum())
            fp = int(((p == k) & (y != k)).sum())
            fn = int(((p != k) & (y == k)).sum())
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        mae = np.mean([abs(s - g.score) for g, (s, _) in items])
        return {
            "n": len(items),
            "accuracy": round(float((p == y).mean()), 4),
            "macro_f1": round(float(np.mean(f1s)), 4),
            "within_one": round(float((np.abs(p - y) <= 1).mean()), 4),
            "score_mae": round(float(mae), 4),
        }

    pairs = list(zip(gold, predicted, strict=True))
    overall = block(pairs)
    confusion = np.zeros((len(E.LABELS), len(E.LABELS)), dtype=int)
    for g, (_, label) in pairs:
        confusion[E.LABELS.index(g.label), E.LABELS.index(label)] += 1
    overall["confusion"] = {
        "rows_gold_cols_predicted": list(E.LABELS),
        "matrix": confusion.tolist(),
    }
    languages = sorted({g.language for g in gold})
    overall["per_language"] = {
        lang: block([(g, q) for g, q in pairs if g.language == lang]) for lang in languages
    }
    return overall


def culture(model: E.Model, train_set: Sequence[E.Example]) -> dict[str, Any]:
    """The chosen method on ``data/emotion_culture_eval.jsonl``: politeness and distress
    across cultures, overall, per language and per kind of message, and how many courteous
    or distressed messages read as angry."""
    rows = [
        json.loads(line)
        for line in E.CULTURE_EVAL_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    gold = [E.Example(r["text"], r["language"], r["label"], float(r["score"])) for r in rows]
    emotions = E.score_many([g.text for g in gold], [g.language for g in gold], model=model)
    predicted = [(em.score, em.label) for em in emotions]
    out = metrics(gold, predicted)
    kinds = sorted({r["kind"] for r in rows})
    out["per_kind"] = {
        kind: metrics(
            [g for g, r in zip(gold, rows, strict=True) if r["kind"] == kind],
            [p for p, r in zip(predicted, rows, strict=True) if r["kind"] == kind],
        )
        for kind in kinds
    }
    for block in out["per_kind"].values():
        block.pop("confusion", None)
        block.pop("per_language", None)
    courteous = [em for em, r in zip(emotions, rows, strict=True) if r["label"] != "angry"]
    out["courteous_read_angry"] = sum(em.label == "angry" for em in courteous)
    out["shared_sentences_with_training"] = len(
        {e.text for e in train_set} & {g.text for g in gold}
    )
    return out


def timed_in_turn(
    methods: dict[str, Scorer], examples: Sequence[E.Example], rounds: int
) -> dict[str, dict[str, float]]:
    """µs per message of each method, one message at a time, methods interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(rounds):
        for ex in examples:
            for name, fn in methods.items():
                start = time.perf_counter()
                fn(ex.text, ex.language)
                samples[name].append(time.perf_counter() - start)
    return {
        name: {
            "p50_us": round(percentile(s, 50) * 1e6, 1),
            "p99_us": round(percentile(s, 99) * 1e6, 1),
        }
        for name, s in samples.items()
    }


def scenario_folds(paths: Sequence[Path], folds: int = 5) -> npt.NDArray[np.int64]:
    """A fold per training row such that the translations of one message share a fold.

    The hand-written files list, per language, the same scenarios in the same order within
    each (label, source) block, so the position in that block names the scenario; seeded rows
    are grouped by their source id.
    """
    out: list[int] = []
    position: dict[tuple[str, str, str], int] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            source = str(row["source"])
            if source.startswith("wowdesk"):
                key = (row["language"], row["label"], source)
                position[key] = position.get(key, -1) + 1
                name = f"{row['label']}/{source}/{position[key]}"
            else:
                name = source.split("#")[-1] if source.startswith("xsid") else source
            out.append(zlib.crc32(name.encode()) % folds)
    return np.array(out, dtype=np.int64)


def tune(l2_values: Sequence[float]) -> dict[str, Any]:
    """Cross-validated accuracy on the training set for each L2 penalty (no evaluation data)."""
    train_set = E.training_set()
    cues = [C.detect(e.text, e.language) for e in train_set]
    x = E.features(E.embed([e.text for e in train_set]), cues)
    y = np.array([E.LABELS.index(e.label) for e in train_set], dtype=np.int64)
    folds = scenario_folds(E.TRAIN_FILES)
    scores: dict[str, Any] = {}
    for l2 in l2_values:
        accuracies = []
        for fold in range(int(folds.max()) + 1):
            test = folds == fold
            mean, scale = x[~test].mean(axis=0), x[~test].std(axis=0)
            scale[scale < 1e-6] = 1.0
            w, b = E.fit_logistic((x[~test] - mean) / scale, y[~test], l2=l2)
            predicted = (((x[test] - mean) / scale) @ w + b).argmax(axis=1)
            accuracies.append(float((predicted == y[test]).mean()))
        scores[str(l2)] = round(float(np.mean(accuracies)), 4)
    return {"cv_accuracy_by_l2": scores, "chosen_l2": E.L2}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="do not update the results")
    parser.add_argument("--rounds", type=int, default=1, help="timing passes over the eval set")
    parser.add_argument(
        "--tune",
        metavar="L2,L2,...",
        help="only cross-validate these L2 penalties on the training set and print the result",
    )
    args = parser.parse_args(argv)
    if args.tune:
        tuned = tune([float(v) for v in args.tune.split(",")])
        print(json.dumps(tuned, indent=2))
        return tuned

    run_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result: dict[str, Any] = {"run_at": run_at, "machine": machine()}
    memory: dict[str, Any] = {"before_encoder": rss_mb()}

    start = time.perf_counter()
    E.embed(["warm up"])
    encoder_load_s = time.perf_counter() - start
    memory["after_encoder"] = rss_mb()

    start = time.perf_counter()
    model = E.train()
    train_s = time.perf_counter() - start
    memory["after_training"] = rss_mb()

    train_set = E.training_set()
    eval_set = E.load_examples(E.EVAL_FILE)
    texts = [e.text for e in eval_set]
    langs = [e.language for e in eval_set]
    result["data"] = {
        "train": len(train_set),
        "eval": len(eval_set),
        "languages": sorted({e.language for e in eval_set}),
        "shared_sentences": len({e.text for e in train_set} & set(texts)),
    }

    # The chosen method, batched for the accuracy figures (same numbers as one at a time).
    emotions = E.score_many(texts, langs, model=model)
    chosen = [(em.score, em.label) for em in emotions]

    # Ablations from the same embeddings.
    embeddings = E.embed(texts)
    cues = [C.detect(t, lang) for t, lang in zip(texts, langs, strict=True)]
    probabilities = model.probabilities(E.features(embeddings, cues))
    no_cap = [(float(p @ E.ANCHORS), E.LABELS[int(np.argmax(p))]) for p in probabilities]

    train_emb = E.embed([e.text for e in train_set])
    y = np.array([E.LABELS.index(e.label) for e in train_set], dtype=np.int64)
    mean, scale = train_emb.mean(axis=0), train_emb.std(axis=0)
    w, b = E.fit_logistic((train_emb - mean) / scale, y)
    p_emb = E._softmax(((embeddings - mean) / scale) @ w + b)
    embeddings_only = [(float(p @ E.ANCHORS), E.LABELS[int(np.argmax(p))]) for p in p_emb]

    methods: dict[str, Any] = {
        "chosen": metrics(eval_set, chosen),
        "ablation_no_hostile_cap": metrics(eval_set, no_cap),
        "ablation_embeddings_only": metrics(eval_set, embeddings_only),
        "cues_only": metrics(
            eval_set, [cues_only(t, lang) for t, lang in zip(texts, langs, strict=True)]
        ),
    }
    vader = vader_scorer()
    if vader is not None:
        methods["vader"] = metrics(
            eval_set, [vader(t, lang) for t, lang in zip(texts, langs, strict=True)]
        )
    for name in list(methods)[1:]:
        methods[name].pop("confusion", None)
    sources = [
        json.loads(line)["source"]
        for line in E.EVAL_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for subset, source in (("long_messages", "wowdesk"), ("short_messages", "wowdesk-short")):
        keep = [i for i, s in enumerate(sources) if s == source]
        block = metrics([eval_set[i] for i in keep], [chosen[i] for i in keep])
        methods["chosen"][subset] = {k: block[k] for k in ("n", "accuracy", "macro_f1")}
    result["methods"] = methods

    result["culture"] = culture(model, train_set)

    neutral = held_out_neutral(train_set)
    if neutral:
        result["held_out_neutral"] = false_alarms(
            E.score_many([e.text for e in neutral], [e.language for e in neutral], model=model),
            neutral,
        )

    def chosen_one(text: str, language: str) -> tuple[float, str]:
        em = E.score(text, language, model=model)
        return em.score, em.label

    timers: dict[str, Scorer] = {"chosen": chosen_one, "cues_only": cues_only}
    if vader is not None:
        timers["vader"] = vader
    speed = timed_in_turn(timers, eval_set, args.rounds)
    start = time.perf_counter()
    E.score_many(texts, langs, model=model)
    speed["chosen_batched"] = {
        "mean_us": round((time.perf_counter() - start) / len(texts) * 1e6, 1),
    }
    result["speed"] = speed
    result["training"] = {"encoder_load_s": round(encoder_load_s, 2), "train_s": round(train_s, 2)}
    memory["end"] = rss_mb()
    result["memory"] = memory

    best = methods["chosen"]
    result["ratios"] = {
        f"chosen/{peer}": {
            "accuracy": round(best["accuracy"] / methods[peer]["accuracy"], 3),
            "macro_f1": round(best["macro_f1"] / max(methods[peer]["macro_f1"], 1e-9), 3),
            "score_mae": round(best["score_mae"] / max(methods[peer]["score_mae"], 1e-9), 3),
        }
        for peer in methods
        if peer != "chosen"
    }
    result["ratios"]["chosen/cues_only p50 time"] = round(
        speed["chosen"]["p50_us"] / max(speed["cues_only"]["p50_us"], 1e-9), 1
    )

    if RESULTS.exists():
        try:
            previous = json.loads(RESULTS.read_text())
            result["comparison"] = {
                "previous_run_at": previous.get("run_at"),
                "ratios": compare(result, previous),
            }
        except (OSError, ValueError):
            result["comparison"] = {"previous_run_at": None, "ratios": {}}
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        stored = {k: v for k, v in result.items() if k != "comparison"}
        RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
