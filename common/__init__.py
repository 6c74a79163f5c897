"""The shared floor: identifier formats, masking, log lines and conversation digests.

Used by every process of the project (Rasa plugins, action server, account backend,
retention) and imports nothing else of ours, so any of them can rely on it.
"""
