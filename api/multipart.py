"""Reading a multipart body with errors in the contract's shape, naming the part at fault.

Starlette's ``request.form()`` turns every parser error into a bare ``400 {"detail"}``; this
drives the same parser (``MultiPartParser``) directly, so each limit becomes a precise
``InvalidInput``/``PayloadTooLarge`` with the field that broke it.
"""

from __future__ import annotations

from contextlib import aclosing

from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from screening.errors import InvalidInput, PayloadTooLarge


async def read_form(request: Request, *, max_files: int, max_fields: int, max_part_size: int) -> FormData:
    async with aclosing(request.stream()) as stream:
        parser = MultiPartParser(request.headers, stream, max_files=max_files, max_fields=max_fields,
                                 max_part_size=max_part_size)
        try:
            return await parser.parse()
        except MultiPartException as exc:
            raise _precise(exc.message, _part_name(parser), max_files=max_files, max_part_size=max_part_size) from None
        except ValueError as exc:  # python-multipart's own parse errors (a truncated or garbled body)
            raise InvalidInput(f"malformed multipart body: {exc}", field="body") from None


def _part_name(parser: MultiPartParser) -> str | None:
    part = getattr(parser, "_current_part", None)  # the part being read when the limit broke
    return getattr(part, "field_name", None) or None


def _precise(message: str, part: str | None, *, max_files: int, max_part_size: int) -> InvalidInput:
    lowered = message.lower()
    if "too many files" in lowered:
        return InvalidInput(f"at most {max_files} files per submission", field="documents")
    if "too many fields" in lowered:
        return InvalidInput("too many form fields: send the 'submission' part and the files only", field="body")
    if "exceeded maximum size" in lowered:
        return PayloadTooLarge(f"a form field may have at most {max_part_size} bytes", field=part or "body")
    if "boundary" in lowered:
        return InvalidInput("multipart/form-data needs a boundary parameter", field="content-type")
    if '"name"' in lowered:
        return InvalidInput("every part needs a name (Content-Disposition: form-data; name=…)", field="body")
    return InvalidInput(f"malformed multipart body: {message}", field="body")
