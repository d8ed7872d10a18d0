"""Operations: the health of the running stack, heartbeats of beat and the worker, and one
log line per request and per task. No domain rules."""
