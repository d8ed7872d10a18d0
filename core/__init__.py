"""Shared machinery every layer may use: money, transactions that retry, bulk writes, CSV
and PDF safety. No domain rules live here, and nothing here imports a project app."""
