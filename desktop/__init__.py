"""Kirjaamo: the registry office's desk application for GDPR data-subject requests."""

__version__ = "0.1.0"
