"""The pipeline's own NLU components (config.yml names them by dotted path)."""
