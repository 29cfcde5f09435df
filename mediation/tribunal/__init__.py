"""Tribunal escalation: the appeal, its timetable, outcomes, orders, recommendations and compliance."""
