"""Times shown to people (transforms/clock.py renders them in Swedish time; stored values stay UTC)."""

MESSAGES = {
    # {at} is transforms.clock.local_time(...): "2026-12-07 13:15:54"
    "clock.at": {"sv": "{at} (svensk tid)", "en": "{at} (Swedish time)"},
    "clock.col.arrived": {"sv": "Ankom (svensk tid)", "en": "Arrived (Swedish time)"},
    "clock.email.arrived": {"sv": "Filen kom in {at} (svensk tid).", "en": "The file arrived {at} (Swedish time)."},
    "clock.validated": {"sv": "validerad / validated (svensk tid / Swedish time)",
                        "en": "validated / validerad (Swedish time / svensk tid)"},
}
