"""One module per CLI command (see :mod:`iur_survey.cli`)."""
