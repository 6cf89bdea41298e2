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


# The file faults of parse.py and pipeline.py: each id is in the catalogue, in both languages,
# and its Swedish is not the English copied over.
FILE_FAULT_IDS = [
    "parse.clipped", "parse.file_empty", "parse.xlsx_declared_csv", "parse.bom_invalid", "parse.nul_bytes",
    "parse.not_declared_encoding", "parse.encoding_unknown", "parse.unsplittable", "parse.no_delimiter",
    "parse.no_text", "parse.header_past_end", "parse.no_header", "parse.too_many_parts", "parse.workbook_damaged",
    "parse.workbook_unopenable", "parse.doctype", "parse.sheet_unreadable", "parse.sheet_empty",
    "parse.header_row_empty", "parse.sheet_missing",
    "ingest.participants_empty", "ingest.no_participants_snapshot", "ingest.internal_error", "ingest.unknown_source",
]


@pytest.mark.parametrize("message_id", FILE_FAULT_IDS)
def test_file_fault_ids_exist_in_swedish_and_english(message_id):
    texts = catalogue()[message_id]
    assert set(texts) == set(LANGUAGES) and all(texts[lang].strip() for lang in LANGUAGES)
    assert texts["sv"] != texts["en"]
    assert placeholders(texts["sv"]) == placeholders(texts["en"])


def test_no_file_fault_is_written_in_english_in_the_code():
    """Every FileFault of parse.py, pipeline.py and harmonise.py takes its text from the catalogue (t), not a literal."""
    import ast
    from pathlib import Path

    import transforms.ingest.harmonise as harmonise
    import transforms.ingest.parse as parse
    import transforms.ingest.pipeline as pipeline

    for module in (parse, pipeline, harmonise):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FileFault" and node.args:
                assert not isinstance(node.args[0], ast.Constant | ast.JoinedStr), (
                    f"{module.__name__}:{node.lineno}: a FileFault text belongs in transforms/messages/")


def test_numbers_are_written_as_the_language_writes_them(monkeypatch):
    """Swedish: thousands grouped by a narrow no-break space, decimal comma, '25 %'; English: 2,000,000, 1.5, 25%."""
    from transforms.messages import number

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    assert number(2_000_000) == "2\u202f000\u202f000" and number(1500) == "1\u202f500" and number(999) == "999"
    assert number(1.25, decimals=1) == "1,2" and number(-1234.5, decimals=2) == "-1\u202f234,50"
    assert number(0.256, percent=True) == "26\u00a0%"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert number(2_000_000) == "2,000,000" and number(1.25, decimals=2) == "1.25" and number(0.2, percent=True) == "20%"
    assert number(2_000_000, lang="sv") == "2\u202f000\u202f000"


def test_no_message_formats_a_number_with_an_english_thousands_comma():
    """Numbers in messages go through messages.number, not f"{n:,}" (a Swede reads 2,000 as two)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"\{[^{}]*:,[^{}]*\}")
    found = [f"{path.relative_to(root)}:{number}" for folder in ("transforms", "plugins")
             for path in sorted((root / folder).rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if pattern.search(line)]
    assert found == []


def test_harmonise_warns_and_describes_cells_through_the_catalogue():
    """harmonise.py's warnings and cell descriptions are catalogue ids, never English literals."""
    import ast
    from pathlib import Path

    import transforms.ingest.harmonise as harmonise

    tree = ast.parse(Path(harmonise.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "append" \
                and getattr(node.func.value, "id", None) == "warnings":
            assert not isinstance(node.args[0], ast.Constant | ast.JoinedStr), node.lineno
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_Bad":
            assert not any(isinstance(a, ast.JoinedStr) for a in node.args), node.lineno
            for arg in node.args[1:]:  # a closer text than rule.<rule>: a catalogue id
                assert isinstance(arg, ast.Constant) and arg.value in catalogue(), node.lineno


def test_a_count_is_written_as_the_language_writes_numbers(monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    assert t("common.rows", n=11639) == "11\u202f639 rader" and t("common.rows", n=1) == "1 rad"
    assert t("common.rows", n=11639, lang="en") == "11,639 rows"
    import numpy as np

    assert t("common.rows", n=np.int64(2000)) == "2\u202f000 rader" and t("common.rows", n=np.int64(1)) == "1 rad"
