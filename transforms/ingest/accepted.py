"""What a source may deliver in a code column, as the steward writes it: the source's own labels with their
meaning (K (kvinna), M (man), X (icke-binär)), else the contract's codes (schema.CODES) in words."""

from __future__ import annotations

from transforms.config.schema import CODES
from transforms.config.sources import DatasetConfig
from transforms.messages import t


def accepted_codes(config: DatasetConfig, column: str, lang: str | None = None) -> str:
    """The accepted values of ``column`` for this source and dataset, one text; "" for a column without codes.

    A code the source gave a label is listed by its first label (the sources file's spelling), any other
    by the contract's code; each with what it means, unless the label says it already.
    """
    labels = config.labels.get(column, {})
    if column == "wave":  # T0, T1, …: no fixed list; a source's own wave names first
        own = [f"{label} ({code})" for code, label in labels.items()]
        return ", ".join([*own, t("code.wave.more", lang=lang)])
    shown = []
    for code in CODES.get(column, ()):
        label = labels.get(code, code)
        meaning = t(f"code.{column}.{code}", lang=lang)
        shown.append(label if meaning.casefold() in label.casefold() else f"{label} ({meaning})")
    return ", ".join(shown)
