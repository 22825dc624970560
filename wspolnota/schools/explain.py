"""Results children understand: one short sentence per idea, from votecount's explanation of
the count (its ``reason`` code and numbers), in the reader's language (pl, en, uk)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from wspolnota.schools.models import Idea, SchoolBallotKind, SchoolEdition, SchoolResult


def money(value: Any) -> str:
    """``1999.5`` → ``1999,50 zł``; whole amounts without grosze: ``2000 zł``."""
    if isinstance(value, str) and "/" in value:
        value = Fraction(value)
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:.0f}" if amount == amount.to_integral() else f"{amount:.2f}".replace(".", ",")
    return _("%(amount)s zł") % {"amount": text}


def _support(edition: SchoolEdition, votes: int, score: int) -> str:
    if edition.ballot_kind == SchoolBallotKind.KRAKOW:
        return _("liczba punktów: %(n)s") % {"n": score}
    return _("liczba głosów: %(n)s") % {"n": votes}


@dataclass(frozen=True)
class IdeaOutcome:
    idea: Idea
    won: bool
    votes: int
    score: int
    text: str


def easy_read(
    *, edition: SchoolEdition, result: SchoolResult, ideas: list[Idea]
) -> list[IdeaOutcome]:
    """The ideas in the order of the results (winners first, in the order chosen), each with
    why it won or not, in plain words."""
    share = Decimal(edition.amount) / result.ballots if result.ballots else Decimal(edition.amount)
    out: list[IdeaOutcome] = []
    for idea in ideas:
        pid = str(idea.number)
        exp = result.explanations.get(pid, {})
        data = exp.get("data", {})
        tally = result.tally.get(pid, {"votes": "0", "score": "0"})
        votes, score = int(tally["votes"]), int(Fraction(tally["score"]))
        won = pid in result.selected
        params = {
            "support": _support(edition, votes, score),
            "votes": votes,
            "cost": money(idea.cost),
            "left": money(data.get("budget_left_when_reached", "0")),
            "position": data.get("position", ""),
            "share": money(share),
        }
        reason = exp.get("reason", "")
        if reason in ("selected", "comparison-greedy"):
            text = _(
                "Wygrał. Był %(position)s. na liście (%(support)s). Gdy przyszła jego kolej, "
                "w budżecie zostało %(left)s, a kosztuje %(cost)s, więc się zmieścił."
            )
        elif reason == "does-not-fit":
            text = _(
                "Nie wygrał. Był %(position)s. na liście (%(support)s), ale gdy przyszła jego "
                "kolej, w budżecie zostało tylko %(left)s, a kosztuje %(cost)s. Nie zmieścił się."
            )
        elif reason == "mes-bought":
            text = _(
                "Wygrał. Każdy głosujący miał taką samą część budżetu: %(share)s. Osoby, które "
                "na niego głosowały (%(votes)s), miały razem dość, by zapłacić %(cost)s."
            )
        elif reason == "completion-selected":
            text = _(
                "Wygrał w dogrywce. Po podziale na równe części zostało %(left)s, a spośród "
                "pomysłów, które się jeszcze mieściły, ten miał najwięcej głosów (%(votes)s)."
            )
        elif reason in ("mes-unaffordable", "mes-out-of-reach"):
            text = _(
                "Nie wygrał. Osoby, które na niego głosowały (%(votes)s), nie miały razem dość "
                "pieniędzy ze swoich równych części (po %(share)s), by zapłacić %(cost)s: było "
                "ich za mało albo wydały swoje części na inne pomysły."
            )
        elif reason == "no-supporters" or (reason == "below-threshold" and votes == 0):
            text = _("Nie wygrał: nikt na niego nie zagłosował.")
        elif reason == "free":
            text = _("Wygrał: nic nie kosztuje, a ktoś na niego zagłosował.")
        elif won:
            text = _("Wygrał.")
        else:
            text = _("Nie wygrał: zabrakło mu głosów.")
        out.append(IdeaOutcome(idea, won, votes, score, text % params))
    order = {pid: i for i, pid in enumerate(result.selected)}
    out.sort(key=lambda o: (not o.won, order.get(str(o.idea.number), 0), -o.score, -o.votes))
    return out


def rule_explanation(edition: SchoolEdition) -> str:
    if edition.counting_rule == "equalshares":
        return _(
            "Metoda równych udziałów: budżet dzielimy po równo między wszystkich, którzy "
            "zagłosowali. Pomysł wygrywa, gdy osoby, które na niego głosowały, mogą razem za "
            "niego zapłacić ze swoich części. Najpierw kupujemy pomysły, za które każdy płaci "
            "najmniej. Dzięki temu pomysł mniejszej grupy też może wygrać. Jeśli coś zostanie, "
            "dokładamy każdemu po równo i liczymy jeszcze raz."
        )
    return _(
        "Liczenie po kolei: ustawiamy pomysły od największego poparcia do najmniejszego i "
        "bierzemy je po kolei. Jeśli pomysł mieści się w pieniądzach, które zostały, wygrywa. "
        "Jeśli się nie mieści, pomijamy go i sprawdzamy następny."
    )
