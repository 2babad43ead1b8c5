"""Reliability and security: concurrency, crashes, tampering, hostile input, secrets, roles."""
