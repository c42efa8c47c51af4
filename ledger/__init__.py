"""ledger: a fact-check ledger for the forward-looking statements and checkable claims of AI leaders."""

__version__ = "0.1.0"
