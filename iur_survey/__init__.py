"""iur-survey: stakeholder-survey exports to a lavaan-verified SEM of IUR collaboration.

Data flows one way: read -> clean -> measure -> model -> report -> book.
"""

__version__ = "0.1.0"
