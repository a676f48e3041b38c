"""Intent recognition with out-of-scope detection: accuracy, precision and coverage.

Run::

    python -m bench.intent --dataset banking77|clinc150 [--test FILE] [--data-dir DIR]
    python -m bench.intent --dataset xsid   # cross-lingual: English → zh ar ja de id

Trains ``wowdesk.knowledge.intent`` (timed) on ``<data>/<dataset>/`` — Banking77 ``train.csv``
(minus a stratified 20 % dev split, seed 0, when no ``--test`` is given); CLINC150
``train_val.json`` ``train`` + ``oos_train`` — and evaluates on ``--test`` (a CSV
``text,category`` for Banking77; a JSON with ``test`` and ``oos_test`` lists of
``[text, intent]`` for CLINC150) or on the dev split (Banking77) / ``val`` + ``oos_val``
(CLINC150). Prints one JSON object:

* ``accuracy``: in-scope texts whose best class is their intent (no threshold);
* ``accuracy_at_threshold``: in-scope texts answered with their intent at the threshold;
* ``oos_recall`` / ``oos_precision``: out-of-scope texts set apart at the threshold / texts set
  apart that are out of scope (null without out-of-scope test texts);
* ``bot_precision`` / ``bot_coverage``: of the texts the bot answers (best class an intent,
  confidence ≥ threshold) the share answered right / the share of all test texts answered;
* ``threshold`` (fitted on held-out training rows, never on the test), ``train_seconds``,
  ``ms_per_text`` (embedding + scoring, batches of 64).

The data dir is ``--data-dir``, else ``$WOWDESK_DATASETS_DIR`` (the other benches' variable) or
``$WOWDESK_SHARED_DATA``, else ``../shared/data`` beside the
repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from wowdesk.knowledge import intent as I  # noqa: E402

XSID_LANGUAGES = ("zh", "ar", "ja", "de", "id")
DEV_SHARE = 0.2
SEED = 0
Rows = list[tuple[str, str]]


def data_dir(option: str | None) -> Path:
    if option:
        return Path(option)
    for name in ("WOWDESK_DATASETS_DIR", "WOWDESK_SHARED_DATA"):
        if os.environ.get(name):
            return Path(os.environ[name])
    return ROOT.parent / "shared" / "data"


def read_csv(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def stratified_split(rows: Rows, share: float, seed: int = SEED) -> tuple[Rows, Rows]:
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, (_, label) in enumerate(rows):
        by_label.setdefault(label, []).append(i)
    held: set[int] = set()
    for label in sorted(by_label):
        idx = np.array(by_label[label])
        rng.shuffle(idx)
        held.update(int(i) for i in idx[: round(len(idx) * share)])
    train = [r for i, r in enumerate(rows) if i not in held]
    dev = [r for i, r in enumerate(rows) if i in held]
    return train, dev


def load_dataset(
    name: str, base: Path, test: Path | None
) -> tuple[Rows, list[str], Rows, list[str]]:
    """(train rows, oos train texts, in-scope test rows, oos test texts)."""
    if name == "banking77":
        rows = read_csv(base / "banking77" / "train.csv")
        if test is not None:
            return rows, [], read_csv(test), []
        train, dev = stratified_split(rows, DEV_SHARE)
        return train, [], dev, []
    data = json.loads((base / "clinc150" / "train_val.json").read_text(encoding="utf-8"))
    train = [(t, lab) for t, lab in data["train"]]
    oos_train = [t for t, _ in data.get("oos_train", [])]
    if test is not None:
        held = json.loads(test.read_text(encoding="utf-8"))
        return (
            train,
            oos_train,
            [(t, lab) for t, lab in held["test"]],
            [t for t, _ in held.get("oos_test", [])],
        )
    return train, oos_train, [(t, lab) for t, lab in data["val"]], [t for t, _ in data["oos_val"]]


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(model: I.IntentModel, rows: Rows, oos: Sequence[str]) -> dict[str, Any]:
    texts = [t for t, _ in rows] + list(oos)
    truth = [lab for _, lab in rows] + [I.OUT_OF_SCOPE] * len(oos)
    started = time.perf_counter()
    probabilities = np.vstack(
        [model.probabilities(texts[i : i + 64]) for i in range(0, len(texts), 64)]
    )
    elapsed = time.perf_counter() - started
    predictions = model.decide(probabilities)
    n_in = len(rows)
    best_right = sum(p.label == t for p, t in zip(predictions[:n_in], truth[:n_in], strict=True))
    answered = [(p, t) for p, t in zip(predictions, truth, strict=True) if not p.out_of_scope]
    answered_right = sum(p.intent == t for p, t in answered)
    in_answered_right = sum(
        p.intent == t for p, t in zip(predictions[:n_in], truth[:n_in], strict=True)
    )
    set_apart = [t for p, t in zip(predictions, truth, strict=True) if p.out_of_scope]
    oos_caught = sum(t == I.OUT_OF_SCOPE for t in set_apart)
    return {
        "test_in_scope": n_in,
        "test_oos": len(oos),
        "accuracy": _ratio(best_right, n_in),
        "accuracy_at_threshold": _ratio(in_answered_right, n_in),
        "oos_recall": _ratio(oos_caught, len(oos)),
        "oos_precision": _ratio(oos_caught, len(set_apart)) if oos else None,
        "bot_precision": _ratio(answered_right, len(answered)),
        "bot_coverage": _ratio(len(answered), len(texts)),
        "threshold": round(model.threshold, 4),
        "temperature": round(model.temperature, 3),
        "ms_per_text": round(1000 * elapsed / max(1, len(texts)), 3),
    }


def run_dataset(name: str, base: Path, test: Path | None, lexical_only: bool) -> dict[str, Any]:
    train, oos_train, rows, oos = load_dataset(name, base, test)
    started = time.perf_counter()
    model = I.fit(
        [t for t, _ in train],
        [lab for _, lab in train],
        oos_texts=oos_train,
        use_embeddings=not lexical_only,
    )
    train_seconds = time.perf_counter() - started
    result = {
        "dataset": name,
        "evaluated_on": str(test)
        if test
        else ("dev split 20%" if name == "banking77" else "val + oos_val"),
        "features": "lexical" if lexical_only else "lexical+embedding",
        "train_rows": len(train),
        "train_oos_rows": len(oos_train),
        "train_seconds": round(train_seconds, 2),
        **evaluate(model, rows, oos),
    }
    return result


# --- xSID: cross-lingual -----------------------------------------------------------------------


def read_conll(path: Path) -> list[dict[str, str]]:
    """The sentences of an xSID CoNLL file: their ``text``, ``text-en`` (when given), ``intent``."""
    sentences: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and " = " in line:
            key, _, value = line[2:].partition(" = ")
            current[key.strip()] = value.strip()
        elif not line.strip():
            if "text" in current and "intent" in current:
                sentences.append(current)
            current = {}
    if "text" in current and "intent" in current:
        sentences.append(current)
    return sentences


def run_xsid(base: Path, languages: Sequence[str], lexical_only: bool) -> dict[str, Any]:
    english = read_conll(base / "xsid" / "en.valid.conll")
    index = {s["text"]: i for i, s in enumerate(english)}
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(english))
    test_idx = set(int(i) for i in order[: len(english) // 2])
    train = [s for i, s in enumerate(english) if i not in test_idx]
    trained = {s["text"] for s in train}
    started = time.perf_counter()
    model = I.fit(
        [s["text"] for s in train],
        [s["intent"] for s in train],
        use_embeddings=not lexical_only,
        calibrate=False,
    )
    train_seconds = time.perf_counter() - started
    per_language: dict[str, Any] = {}
    for language in ["en", *languages]:
        path = base / "xsid" / f"{language}.valid.conll"
        if not path.exists():
            continue
        sentences = english if language == "en" else read_conll(path)
        tests = []
        for position, s in enumerate(sentences):
            original = s["text"] if language == "en" else s.get("text-en", "")
            i = position if language == "en" else index.get(original, position)
            # a test sentence's English original (or a duplicate of it) is never in training
            if i in test_idx and original not in trained:
                tests.append(s)
        if not tests:
            continue
        texts = [s["text"] for s in tests]
        if language in {"zh", "ja"}:  # xSID tokenises these with spaces between words
            texts = [t.replace(" ", "") for t in texts]
        predictions = model.predict(texts, threshold=0.0)
        right = sum(p.label == s["intent"] for p, s in zip(predictions, tests, strict=True))
        per_language[language] = {"n": len(tests), "accuracy": round(right / len(tests), 4)}
    return {
        "dataset": "xsid",
        "features": "lexical" if lexical_only else "lexical+embedding",
        "train_rows": len(train),
        "intents": len(set(s["intent"] for s in train)),
        "train_seconds": round(train_seconds, 2),
        "accuracy": per_language,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("banking77", "clinc150", "xsid"), required=True)
    parser.add_argument("--test", type=Path, help="held-out test file (see the module doc)")
    parser.add_argument("--data-dir", help="the shared data dir (default ../shared/data)")
    parser.add_argument("--crosslingual", action="store_true", help="same as --dataset xsid")
    parser.add_argument("--languages", default=",".join(XSID_LANGUAGES))
    parser.add_argument(
        "--lexical-only", action="store_true", help="TF-IDF features only (no sentence encoder)"
    )
    args = parser.parse_args(argv)
    base = data_dir(args.data_dir)
    if args.dataset == "xsid" or args.crosslingual:
        result = run_xsid(base, [x for x in args.languages.split(",") if x], args.lexical_only)
    else:
        result = run_dataset(args.dataset, base, args.test, args.lexical_only)
    result["machine"] = {"cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2),
                         "python": platform.python_version()}  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
