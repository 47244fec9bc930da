"""The pipeline's seam: a check adds its own findings and never edits another check's."""

from __future__ import annotations

import copy
import dataclasses


from ocr.readers import FieldReading, LicenceReading, PageText, StatementReading
from screening.checks import default_checks
from screening.parsing import parse_submission
from screening.pipeline import Check, Pipeline, Resources, ScreeningContext
from tests.screening.test_rule_checks import contract_files, example


class LicenceSays:
    """Document readers whose licence reads the form's own code and name, with a 类型 that makes
    the holder ineligible for ``reason``; the other pages read nothing."""

    version = "fake-readers@1"
    timeout_s = 5.0

    def __init__(self, entity: dict, type_text: str, reason: str) -> None:
        self.entity, self.type_text, self.reason = entity, type_text, reason

    def read_licence(self, image) -> LicenceReading:
        return LicenceReading(uscc=FieldReading(self.entity["uscc"], 0.99, [10, 10, 200, 30], self.entity["uscc"]),
                              uscc_status="ok",
                              name=FieldReading(self.entity["name"], 0.99, [10, 40, 200, 60], self.entity["name"]),
                              type=FieldReading(self.type_text, 0.95, [10, 70, 200, 90], self.type_text),
                              ineligible=self.reason)

    def read_statement(self, image) -> StatementReading:
        return StatementReading()

    def read_text(self, image) -> PageText:
        return PageText()


class Watched(Check):
    """A check run as in the pipeline, that fails the test if it changed a finding it found."""

    def __init__(self, inner: Check) -> None:
        self.inner, self.name, self.part, self.codes = inner, inner.name, inner.part, inner.codes

    def applies(self, ctx: ScreeningContext) -> bool:
        return self.inner.applies(ctx)

    def run(self, ctx: ScreeningContext) -> None:
        before = [copy.deepcopy(dataclasses.asdict(f)) for f in ctx.findings]
        try:
            self.inner.run(ctx)
        finally:
            after = [dataclasses.asdict(f) for f in ctx.findings[:len(before)]]
            assert after == before, f"check {self.name!r} changed findings it did not add"


def screen(name: str, type_text: str, reason: str):
    data = example()
    data["entity"]["name"] = name
    readers = LicenceSays(data["entity"], type_text, reason)
    pipeline = Pipeline([Watched(c) for c in default_checks()], Resources(ocr=readers))
    return pipeline.screen(parse_submission(data), contract_files())


def ineligible(report):
    return [f for f in report.findings if f.code == "ENTITY_INELIGIBLE"]


def test_a_branch_on_the_form_and_the_licence_is_one_finding_left_as_the_entity_rules_made_it():
    name = "深圳市雄楚速通国际物流有限公司北京分公司"
    (f,) = ineligible(screen(name, "有限责任公司分公司", "分公司"))
    assert f.field == "entity.name" and f.source == "rules" and f.evidence == {"rule": "branch", "name": name}


def test_a_licence_that_says_what_the_form_does_not_is_the_document_checks_own_finding():
    report = screen(example()["entity"]["name"], "个体工商户", "个体工商户")
    (f,) = ineligible(report)
    assert f.field == "documents[0].file" and f.source == "fake-readers@1"
    assert f.evidence["reason"] == "个体工商户" and f.evidence["box"] == [10, 70, 200, 90]
    assert f.evidence["file"] == "licence.jpg" and "个体工商户" in f.message


def test_different_reasons_from_the_form_and_the_licence_are_two_findings():
    name = "深圳市雄楚速通国际物流合伙企业(有限合伙)"
    found = ineligible(screen(name, "有限责任公司分公司", "分公司"))
    assert sorted((f.field, f.evidence.get("rule"), f.evidence.get("reason")) for f in found) == [
        ("documents[0].file", None, "分公司"), ("entity.name", "partnership", None)]


# ---- the Resources slots' Protocols (screening/ports.py) hold for the classes really loaded -------

def _slot_ports() -> dict[str, type]:
    from screening import ports

    return {"ocr": ports.DocumentReaders, "text": ports.TextScreener, "text_feedback": ports.ServedTextFeedback,
            "duplicates": ports.DuplicateSearch, "filed_records": ports.FiledRecords,
            "patent_register": ports.PatentRegister, "prioritizer": ports.Prioritizer}


def test_every_loaded_resource_satisfies_its_port(store, tmp_path):
    from screening import ports
    from screening.resources import load_resources
    from screening.settings import Settings

    res, status = load_resources(Settings(data_dir=tmp_path / "data"), store, ocr=True)
    assert not status.failed, status.failed
    for slot, port in _slot_ports().items():
        obj = getattr(res, slot)
        assert obj is not None, f"{slot} did not load"
        assert isinstance(obj, port), f"{slot}: {type(obj).__name__} lacks a member of {port.__name__}"
    assert isinstance(res.duplicates.scorer, ports.PairScorer) and isinstance(res.duplicates.photo_kind, ports.PhotoKind)
    feedback = res.text_feedback.current()
    assert feedback is None or isinstance(feedback, ports.TextFeedbackFilter)
    assert callable(res.verified_codes) and res.verified_codes("91440300MA5H3E0T3W") is False


def test_a_double_without_a_member_is_not_the_port():
    from screening import ports

    class Half:
        version = "half@1"

        def read_licence(self, image): ...

    assert not isinstance(Half(), ports.DocumentReaders)
    assert isinstance(LicenceSays({}, "", ""), ports.DocumentReaders)
