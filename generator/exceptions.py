"""Errors the CLI reports, each with the exit code a scheduler can act on.

Exit codes: 0 built; 1 internal error; 2 command-line usage (click);
3 bad configuration or input; 4 data tests failed; 5 the site failed to build;
6 another build of the same site is running; 7 an outside service failed: the
CRM's API did not answer a pull, or the chat webhook did not take a notice.
"""

from __future__ import annotations

import click


class SlaReportError(click.ClickException):
    """Base of every error the CLI reports as a clear message."""

    exit_code = 1


class ConfigError(SlaReportError):
    """The configuration, the agreement texts or the raw input are unusable."""

    exit_code = 3


class DataTestError(SlaReportError):
    """One or more dbt data or unit tests failed: the numbers are not trustworthy."""

    exit_code = 4


class SiteBuildError(SlaReportError):
    """MkDocs could not build the site strictly."""

    exit_code = 5


class InternalError(SlaReportError):
    """Something failed that is not the input's fault (a model error, a crash)."""

    exit_code = 1


class BuildLockedError(SlaReportError):
    """Another build of the same site holds the lock."""

    exit_code = 6


class PullError(SlaReportError):
    """The CRM's API did not answer (outage, timeouts, quota used up): nothing was replaced."""

    exit_code = 7


class NotifyError(SlaReportError):
    """The chat webhook did not take the notice (the site is published regardless).

    The same code as a failed pull: an outside service failed, nothing of ours.
    """

    exit_code = 7
