"""Berth's strict practice and test backend: moto, patched to refuse what AWS refuses, with a
scheduler that runs tasks on the local Docker engine. See docs/aws-emulator.md."""
