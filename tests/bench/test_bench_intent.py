"""bench.intent runs end to end on tiny synthetic data files (no timing is asserted)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.knowledge.intent_examples import EXAMPLES, OUT_OF_SCOPE

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOWDESK_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.intent", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _banking(base: Path) -> Path:
    folder = base / "banking77"
    folder.mkdir(parents=True)
    with (folder / "train.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category"])
        for label, texts in EXAMPLES.items():
            for text in texts:
                writer.writerow([text, label])
    return folder


def test_banking77_dev_split_and_test_file(tmp_path: Path) -> None:
    _banking(tmp_path)
    result = _run("--dataset", "banking77", "--data-dir", str(tmp_path), "--lexical-only")
    assert result["dataset"] == "banking77"
    n = sum(len(t) for t in EXAMPLES.values())
    assert result["train_rows"] + result["test_in_scope"] == n
    # 20 % of each intent's examples, rounded per intent
    assert result["test_in_scope"] == sum(round(len(t) * 0.2) for t in EXAMPLES.values())
    assert result["oos_recall"] is None and result["oos_precision"] is None
    for key in ("accuracy", "bot_precision", "bot_coverage", "threshold", "ms_per_text"):
        assert 0 <= result[key] <= (1 if key != "ms_per_text" else 1e6), key
    assert "train_seconds" in result

    test = tmp_path / "test.csv"
    test.write_text(
        "text,category\nI want a refund,refund\nwhen are you open,opening_hours\n", "utf-8"
    )
    on_file = _run(
        "--dataset", "banking77", "--data-dir", str(tmp_path), "--test", str(test),
        "--lexical-only",
    )  # fmt: skip
    assert on_file["test_in_scope"] == 2
    assert on_file["train_rows"] == n
    assert on_file["accuracy"] == 1.0


def test_clinc150_with_out_of_scope(tmp_path: Path) -> None:
    folder = tmp_path / "clinc150"
    folder.mkdir()
    rows = [[t, label] for label, texts in EXAMPLES.items() for t in texts]
    data = {
        "train": rows[::2] + rows[1::4],
        "val": rows[3::4],
        "oos_train": [[t, "oos"] for t in OUT_OF_SCOPE[:6]],
        "oos_val": [[t, "oos"] for t in OUT_OF_SCOPE[6:]],
    }
    (folder / "train_val.json").write_text(json.dumps(data), "utf-8")
    result = _run("--dataset", "clinc150", "--data-dir", str(tmp_path))
    assert (result["test_in_scope"], result["test_oos"]) == (len(data["val"]), 4)
    assert result["train_oos_rows"] == 6
    for key in ("accuracy", "oos_recall", "oos_precision", "bot_precision", "bot_coverage"):
        assert result[key] is None or 0 <= result[key] <= 1, key
    assert result["features"] == "lexical+embedding"

    test = tmp_path / "test.json"
    test.write_text(
        json.dumps({"test": [["refund my order", "refund"]], "oos_test": [["sing a song", "oos"]]}),
        "utf-8",
    )
    on_file = _run("--dataset", "clinc150", "--data-dir", str(tmp_path), "--test", str(test))
    assert (on_file["test_in_scope"], on_file["test_oos"]) == (1, 1)


def _conll(sentences: list[tuple[str, str, str | None]]) -> str:
    out = []
    for n, (text, intent, english) in enumerate(sentences, 1):
        out.append(f"# id = {n}")
        if english is not None:
            out.append(f"# text-en = {english}")
        out += [
            f"# text = {text}",
            f"# intent = {intent}",
            f"1\t{text.split()[0]}\t{intent}\tO",
            "",
        ]
    return "\n".join(out) + "\n"


def test_xsid_cross_lingual(tmp_path: Path) -> None:
    folder = tmp_path / "xsid"
    folder.mkdir()
    english = [(t, label, None) for label in ("refund", "opening_hours") for t in EXAMPLES[label]]
    (folder / "en.valid.conll").write_text(_conll(english), "utf-8")
    german = [("Ich möchte mein Geld zurück", "refund", EXAMPLES["refund"][0])] + [
        (f"Satz {t}", label, t) for t, label, _ in english[1:]
    ]
    (folder / "de.valid.conll").write_text(_conll(german), "utf-8")
    result = _run("--dataset", "xsid", "--data-dir", str(tmp_path), "--languages", "de,zh",
                  "--lexical-only")  # fmt: skip
    assert result["train_rows"] == len(english) // 2
    assert set(result["accuracy"]) == {"en", "de"}  # zh has no file here
    # test sentences are those whose English original was held out of training
    assert result["accuracy"]["en"]["n"] == len(english) - result["train_rows"]
    assert result["accuracy"]["de"]["n"] == result["accuracy"]["en"]["n"]
