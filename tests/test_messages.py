"""The message catalogue: complete in both languages, one id each, SAMLA_LANGUAGE honoured."""

from __future__ import annotations

import pytest

from transforms.messages import LANGUAGES, LanguageError, catalogue, language, placeholders, t


def test_every_message_has_swedish_and_english_with_the_same_placeholders():
    assert catalogue(), "the catalogue is empty"
    for message_id, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), message_id
        assert "." in message_id, f"{message_id}: ids are namespaced, area.name"
        forms = [texts[lang] for lang in LANGUAGES]
        for form in forms:
            assert isinstance(form, str) or (isinstance(form, tuple) and len(form) == 2), message_id
        assert placeholders(forms[0]) == placeholders(forms[1]), message_id
        if any(isinstance(f, tuple) for f in forms):
            assert all(isinstance(f, tuple) for f in forms) and "n" in placeholders(forms[0]), message_id


def test_swedish_by_default_english_on_request(monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    assert language() == "sv"
    assert t("common.rows", n=1) == "1 rad" and t("common.rows", n=3) == "3 rader"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert t("common.rows", n=1) == "1 row" and t("common.rows", n=3) == "3 rows"
    assert t("common.rows", n=3, lang="sv") == "3 rader"


def test_unknown_language_is_refused_naming_the_choices(monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", "de")
    with pytest.raises(LanguageError, match="sv, en"):
        t("common.rows", n=2)


def test_identical_swedish_and_english_texts_are_only_words_both_languages_share():
    # A text copied into the other language unchanged is an untranslated message.
    shared = {"Period", "Status", "status", "format", "Samla: {source}: {counts}", "Problem", ", period {period}", "{file}: {source}, {dataset}, {period}"}
    same = {texts["sv"] for texts in catalogue().values() if texts["sv"] == texts["en"]}
    assert same <= shared, same - shared


def test_the_command_refuses_an_unknown_language_as_a_usage_error(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SAMLA_LANGUAGE": "de", "SAMLA_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-m", "samla_airflow.cli", "status"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 2 and "SAMLA_LANGUAGE='de'" in out.stderr
