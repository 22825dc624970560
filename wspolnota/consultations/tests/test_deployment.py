"""What a city must run besides the web and the worker for consultations to keep their promises."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_deployment_steps_schedule_the_meeting_reminders_and_deferred_tasks():
    steps = README.read_text(encoding="utf-8").split("## Deploying", 1)[1].split("\n## ", 1)[0]
    assert "manage.py consultation_reminders" in steps
    assert "--with-scheduler" in steps  # RQ runs the opinion map's deferred recomputation only so
