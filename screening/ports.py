"""What the checks call on each ``Resources`` slot (screening/pipeline.py), as Protocols.

The real classes live in ``ocr``, ``models`` and ``screening.storage``; a test double need only
have these members. Each Protocol lists exactly what some check or the pipeline uses, so a
change to a loaded class that breaks a check shows in tests/screening/test_seam.py rather than
as a CHECK_FAILED in production. ``runtime_checkable`` lets that test check the loaded objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # types only: importing ocr or the models here would load them at import
    from PIL import Image

    from models.text_screener import TextFinding
    from ocr.readers import LicenceReading, PageText, StatementReading

    from .contract import Finding, Priority, Product
    from .duplicates.filing import Filing
    from .duplicates.image_hash import PhotoHash
    from .duplicates.search import Candidate, ImageMatch
    from .pipeline import ScreeningContext
    from .register import RegisterPatent
    from .storage.filed import FiledRecord


@runtime_checkable
class DocumentReaders(Protocol):
    """``ocr.readers.DocumentReaders``: the document check's licence, statement and proof reads."""

    version: str
    timeout_s: float

    def read_licence(self, image: Image.Image) -> LicenceReading: ...

    def read_statement(self, image: Image.Image) -> StatementReading: ...

    def read_text(self, image: Image.Image) -> PageText: ...


@runtime_checkable
class TextScreener(Protocol):
    """``models.text_screener.TextScreener``: the text check's name, model and introduction screen."""

    version: str

    def screen(self, product: Product, company: str | None = None) -> list[TextFinding]: ...


@runtime_checkable
class TextFeedbackFilter(Protocol):
    """``models.text_feedback.TextFeedbackFilter``: drops findings reviewers taught it are false."""

    def apply(self, findings: list[TextFinding], product: Product) -> tuple[list[TextFinding], list[dict]]: ...


@runtime_checkable
class ServedTextFeedback(Protocol):
    """``models.text_feedback.ServedTextFeedback``: the filter in service now (None when none is)."""

    version: str

    def current(self) -> TextFeedbackFilter | None: ...


@runtime_checkable
class PairScorer(Protocol):
    """``models.pair_scorer``'s scorer as the duplicate check reads it (``contributions`` optional)."""

    version: str
    threshold: float


@runtime_checkable
class PhotoKind(Protocol):
    """``models.photo_kind.PhotoKindClassifier``: photo, rendering or line drawing (IMAGE_NOT_PHOTO)."""

    version: str
    threshold: float

    def judge(self, image: Image.Image) -> dict[str, Any]: ...


@runtime_checkable
class DuplicateSearch(Protocol):
    """``screening.duplicates.DuplicateSearch``: every filed product, by meaning and by photo."""

    scorer: PairScorer
    photo_kind: PhotoKind | None

    def find(self, filing: Filing) -> list[Candidate]: ...

    def find_images(self, hashes: list[PhotoHash], *,
                    exclude_submission: str | None = None) -> list[list[ImageMatch]]: ...


# ``Store.is_code_verified``: a code a reviewer marked as verified (the entity rules' USCC check)
VerifiedCodes = Callable[[str], bool]


@runtime_checkable
class FiledRecords(Protocol):
    """``screening.storage.filed.FiledRecords``: what annual updates and revocations refer to."""

    def by_submission_id(self, submission_id: str, *, stages: tuple[str, ...] = ...) -> FiledRecord | None: ...

    def of_entity(self, uscc: str, *, exclude_submission_id: str | None = None) -> list[FiledRecord]: ...


@runtime_checkable
class PatentRegister(Protocol):
    """``screening.storage.register.PatentRegisterStore``: the imported patent register snapshot."""

    def snapshot(self) -> dict | None: ...

    def lookup(self, numbers: list[str]) -> dict[str, RegisterPatent]: ...


@runtime_checkable
class Prioritizer(Protocol):
    """``screening.priority.SeverityPrior`` or the learned one: the report's priority."""

    version: str

    def score(self, ctx: ScreeningContext, findings: Sequence[Finding]) -> Priority: ...
