"""The stack's building blocks: table, functions, API and alarms."""
