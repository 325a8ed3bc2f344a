"""lendrisk: an overdue-risk dashboard for an internet lending (P2P) platform."""

__version__ = "0.1.0"
