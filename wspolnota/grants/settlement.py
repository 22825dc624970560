"""Settlement of an agreement: actual costs against the plan, with the tolerance rule.

The model agreement (regulation of the Chairman of the Public Benefit Committee, 2018) treats a
budget line as carried out according to the agreement when its grant-funded cost did not grow by
more than the percentage set in the agreement; more is a breach and the excess is returned. The
programme sets that percentage (``cost_tolerance_percent``, 10 % by default). When the award was
smaller than the request, each line's planned grant is reduced in the same proportion.

The total spent from the grant may not exceed the agreement, and the applicant's own contribution
(money, in-kind and volunteer work) may not fall short of the plan by more than the same
percentage. Breaches do not stop a report from being filed (it must say what happened); they are
shown to officials, and the unspent grant plus any excess over the tolerance is to be returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from wspolnota.grants import errors, limits
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.limits import pln, q2
from wspolnota.grants.models import ZERO, BudgetLine, ReportLine

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class SettlementLine:
    budget_line: BudgetLine
    planned_grant: Decimal
    actual_grant: Decimal
    planned_contribution: Decimal
    actual_contribution: Decimal
    over_tolerance: bool
    explanation: str

    @property
    def difference(self) -> Decimal:
        return self.actual_grant - self.planned_grant


@dataclass(frozen=True)
class Settlement:
    lines: list[SettlementLine]
    amount: Decimal
    planned_grant: Decimal
    actual_grant: Decimal
    planned_contribution: Decimal
    actual_contribution: Decimal
    tolerance_percent: Decimal

    @property
    def to_return(self) -> Decimal:
        """Unspent grant plus any excess above the tolerance on single lines."""
        excess = sum(
            (
                line.actual_grant - self.allowed(line.planned_grant)
                for line in self.lines
                if line.over_tolerance
            ),
            ZERO,
        )
        spent = min(self.actual_grant - excess, self.amount)
        return q2(max(self.amount - spent, ZERO))

    def allowed(self, planned: Decimal) -> Decimal:
        return q2(planned * (HUNDRED + self.tolerance_percent) / HUNDRED)


def settle(
    *,
    amount: Decimal,
    requested: Decimal,
    tolerance_percent: Decimal,
    budget_lines: Sequence[BudgetLine],
    report_lines: Sequence[ReportLine],
    planned: dict[int, tuple[Decimal, Decimal]] | None = None,
) -> Settlement:
    """``planned`` (by line position: grant, contribution) replaces the proportional scaling
    when the applicant confirmed an updated budget after partial funding or an annex changed
    it: the agreement's own figures are the plan."""
    scale = (amount / requested) if requested else Decimal(1)
    actual_by_line = {r.budget_line_id: r for r in report_lines}
    lines = []
    for budget_line in budget_lines:
        report_line = actual_by_line.get(budget_line.pk)
        if planned is not None:
            planned_grant, planned_contribution = planned.get(budget_line.position, (ZERO, ZERO))
        else:
            planned_grant = q2(budget_line.grant_amount * scale)
            planned_contribution = budget_line.contribution
        actual_grant = report_line.actual_grant if report_line else ZERO
        actual_contribution = (
            report_line.actual_own + report_line.actual_in_kind + report_line.actual_volunteer
            if report_line
            else ZERO
        )
        allowed = q2(planned_grant * (HUNDRED + tolerance_percent) / HUNDRED)
        lines.append(
            SettlementLine(
                budget_line=budget_line,
                planned_grant=planned_grant,
                actual_grant=actual_grant,
                planned_contribution=planned_contribution,
                actual_contribution=actual_contribution,
                over_tolerance=actual_grant > allowed,
                explanation=report_line.explanation if report_line else "",
            )
        )
    return Settlement(
        lines=lines,
        amount=amount,
        planned_grant=sum((line.planned_grant for line in lines), ZERO),
        actual_grant=sum((line.actual_grant for line in lines), ZERO),
        planned_contribution=sum((line.planned_contribution for line in lines), ZERO),
        actual_contribution=sum((line.actual_contribution for line in lines), ZERO),
        tolerance_percent=tolerance_percent,
    )


def settlement_problems(settlement: Settlement, *, final: bool) -> list[GrantsError]:
    """Mistakes that stop a report from being filed: more spent from the grant than the
    agreement gives, and (in the final report) a difference from the plan left unexplained."""
    problems = []
    if settlement.actual_grant > settlement.amount:
        problems.append(
            GrantsError(
                errors.REPORT_TOTAL_OVER,
                code="report_total_over",
                params={"actual": pln(settlement.actual_grant), "amount": pln(settlement.amount)},
            )
        )
    if final:
        for line in settlement.lines:
            if line.actual_grant != line.planned_grant and not line.explanation.strip():
                problems.append(
                    GrantsError(
                        errors.REPORT_EXPLANATION,
                        code="report_explanation",
                        params={"line": line.budget_line.position},
                    )
                )
    return problems


def settlement_breaches(settlement: Settlement) -> list[GrantsError]:
    """Breaches of the tolerance rule: the report can be filed, and officials see what is to
    be returned (the excess on a line counts in ``to_return``)."""
    tolerance = limits.num(settlement.tolerance_percent)
    breaches = [
        GrantsError(
            errors.REPORT_LINE_OVER,
            code="report_line_over",
            params={
                "line": line.budget_line.position,
                "description": line.budget_line.description,
                "actual": pln(line.actual_grant),
                "planned": pln(line.planned_grant),
                "tolerance": tolerance,
            },
        )
        for line in settlement.lines
        if line.over_tolerance
    ]
    minimum = q2(
        settlement.planned_contribution * (HUNDRED - settlement.tolerance_percent) / HUNDRED
    )
    if settlement.actual_contribution < minimum:
        breaches.append(
            GrantsError(
                errors.REPORT_CONTRIBUTION_SHORT,
                code="report_contribution_short",
                params={
                    "actual": pln(settlement.actual_contribution),
                    "planned": pln(settlement.planned_contribution),
                    "tolerance": tolerance,
                },
            )
        )
    return breaches
