"""Qt item models over db/ data: thin, column constants, a sort role, reset on refresh."""
