"""ANNUAL_UPDATE_OUT_OF_WINDOW and ASSET_UPDATE_OVERDUE: what the date of a submission allows.

Dates are Beijing dates of ``submitted_at`` (``seed_calendar``).

- An annual update belongs to the first quarter, 1 January – 31 March (seed 000 七; seed 002
  六): outside it the product misses that year's recognition; the reviewer decides the rest.
- Asset figures: "updated" means the entity's ``figures_year`` is the year the calendar asks for
  — last year's from 1 May, the year before until 30 April (last year's may be deferred until
  then: seed 002 三(一)). A product filing or annual update standing on older figures is
  ASSET_UPDATE_OVERDUE; so is a real-name verification that still defers its figures (no
  ``entity.figures_wan``) after 30 April. A form that sends figures without their year, or no
  entity at all, cannot be judged: CHECK_SKIPPED. A revocation is not held back by the
  figures (the seed lists filing, update and recognition as what stale figures stop).
"""

from __future__ import annotations

from ..pipeline import Check, ScreeningContext
from .seed_calendar import asset_deferral_open, beijing_day, in_update_window, required_figures_year

RULE_WINDOW = "每年的一季度，即 1 月 1 日至 3 月 31 日，备案主体须对已备案的专利产品信息进行修改、更新、确认"
RULE_ASSETS = ("延后填报的截止时间为每年的4月30日，每年5月1日后，单位必须更新上一年度资产信息，"
               "否则将影响后续产品备案填报、产品备案信息更新和专利密集型产品认定等操作。")
STAGE_NAMES = {"entity": "实名认证", "product": "产品备案", "annual_update": "产品备案信息年度更新"}


class CalendarRules(Check):
    name = "calendar-rules"
    part = "rules"
    codes = ("ANNUAL_UPDATE_OUT_OF_WINDOW", "ASSET_UPDATE_OVERDUE")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in STAGE_NAMES

    def run(self, ctx: ScreeningContext) -> None:
        day = beijing_day(ctx)
        dated = ctx.submission.submitted_at is not None
        if ctx.submission.stage == "annual_update" and not in_update_window(day):
            ctx.add(
                "ANNUAL_UPDATE_OUT_OF_WINDOW", "submitted_at",
                f"年度更新提交于{day.isoformat()}（北京时间），不在{day.year}年1月1日至3月31日的更新期内；"
                f"未按时更新的产品不能参与{day.year}年度专利密集型产品认定",
                evidence={"rule": RULE_WINDOW, "day": day.isoformat(), "window": [f"{day.year}-01-01", f"{day.year}-03-31"],
                          "submitted_at_sent": dated},
            )
        self._assets(ctx, day, dated)

    def _assets(self, ctx: ScreeningContext, day, dated: bool) -> None:
        sub = ctx.submission
        need = required_figures_year(day)
        evidence = {"rule": RULE_ASSETS, "day": day.isoformat(), "required_year": need, "submitted_at_sent": dated}
        what = STAGE_NAMES[sub.stage]
        entity = sub.entity
        if entity is None:
            if sub.stage != "entity" and not asset_deferral_open(day):
                ctx.skip("entity.figures_year", f"{day.year - 1}年度资产信息是否已更新（{what}未附单位信息）")
            return
        year = entity.figures_year
        if year is None:
            if entity.figures_wan is None and sub.stage == "entity" and not asset_deferral_open(day):
                ctx.add(
                    "ASSET_UPDATE_OVERDUE", "entity.figures_wan",
                    f"{day.isoformat()}（北京时间）提交实名认证，仍延后填写资产信息：延后填报截止{day.year}年4月30日，"
                    f"5月1日后须填写{day.year - 1}年度资产信息",
                    evidence={**evidence, "figures_year": None},
                )
            elif entity.figures_wan is not None or not asset_deferral_open(day):
                ctx.skip("entity.figures_year", f"资产信息所属年度（{day.isoformat()}应为{need}年度或更新）")
            return
        if year < need:
            deadline = f"{need + 1}年4月30日"
            ctx.add(
                "ASSET_UPDATE_OVERDUE", "entity.figures_year",
                f"{day.isoformat()}（北京时间）提交{what}，单位资产信息仍为{year}年度：{need}年度资产信息"
                f"须在{deadline}前更新，逾期未更新不能进行产品备案申报和备案信息更新",
                evidence={**evidence, "figures_year": year},
            )
