# Hostile-input tests: state machine tables, floods and caps, soak.
