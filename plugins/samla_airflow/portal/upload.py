"""A check page's form, read from the request body in bounded chunks.

Files go straight to a folder the caller owns (a temporary one); a file past the intake's
SAMLA_MAX_FILE_BYTES stops the reading at once, before the rest of the body is read, and a form
field past a few kilobytes too. Nothing is held in memory beyond one chunk.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from python_multipart.multipart import MultipartParser, parse_options_header

FILE_FIELDS = ("file", "participants")  # the delivery, and the period's participants file beside it
MAX_FIELD_BYTES = 4096
MAX_PARTS = 16
MAX_NAME_CHARS = 255


class UploadRefused(ValueError):
    """The form cannot be read: ``reason`` is ``too_large``, ``malformed`` or ``too_many_parts``."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # field -> the file, named as sent


def safe_name(sent: str) -> str:
    """The last part of a sent file name (browsers may send a whole Windows path), never a path."""
    name = PurePosixPath(sent.replace("\\", "/")).name.strip()
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)[:MAX_NAME_CHARS]
    return name if name not in ("", ".", "..") else "fil"


async def read_form(chunks: AsyncIterator[bytes], content_type: str, folder: Path, max_file_bytes: int) -> Form:
    """The form's fields and files; each file written into ``folder``/<field>/<its name as sent>."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("malformed")
    form = Form()
    state: dict = {"headers": {}, "name": b"", "value": b"", "field": None, "sink": None, "size": 0, "parts": 0}

    def on_part_begin() -> None:
        state.update(headers={}, field=None, sink=None, size=0, buffer=bytearray())
        state["parts"] += 1
        if state["parts"] > MAX_PARTS:
            raise UploadRefused("too_many_parts")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["name"].strip().lower()] = state["value"].strip()
        state["name"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(state["headers"].get(b"content-disposition"))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        state["field"] = name
        if b"filename" in disposition and name in FILE_FIELDS:
            sent = disposition[b"filename"].decode("utf-8", "replace")
            if not sent:  # an empty file input sends a part with no name and no content
                return
            # In a folder of its own, under its own name: the name says the dataset and period.
            (folder / name).mkdir(exist_ok=True)
            where = folder / name / safe_name(sent)
            form.files[name] = where
            state["sink"] = where.open("wb")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state["size"] += end - start
        if state["sink"] is not None:
            if state["size"] > max_file_bytes:
                raise UploadRefused("too_large", state["field"])
            state["sink"].write(data[start:end])
        elif state["size"] > MAX_FIELD_BYTES:
            raise UploadRefused("too_large", state["field"])
        else:
            state["buffer"] += data[start:end]

    def on_part_end() -> None:
        if state["sink"] is not None:
            state["sink"].close()
            state["sink"] = None
        elif state["field"] and state["field"] not in FILE_FIELDS:
            form.fields[state["field"]] = bytes(state["buffer"]).decode("utf-8", "replace")

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data, "on_part_end": on_part_end})
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except UploadRefused:
        raise
    except Exception as exc:  # the parser's own faults: a body that is not the form it claims
        raise UploadRefused("malformed") from exc
    finally:
        if state["sink"] is not None:
            state["sink"].close()
    return form
