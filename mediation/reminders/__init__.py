"""Reminders, breach escalations and daily digests, derived at sweep time from the running clocks."""
