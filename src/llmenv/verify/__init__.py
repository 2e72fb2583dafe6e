"""Judgements: each check turns facts into findings with a status, the evidence and a concrete fix."""
