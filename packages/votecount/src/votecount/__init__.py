"""votecount: exact, fast and explainable counting of participatory budgets."""

__version__ = "1.0.0"
