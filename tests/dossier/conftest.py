"""Fixtures of the dossier tests (the case story lives in dossier_story.py)."""

from dossier_story import story_case  # noqa: F401 - a fixture
