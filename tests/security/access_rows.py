from tests.access import OK, Row, everyone

ROWS = [
    # The timeout warning's "Stay signed in": any signed-in person; nobody else.
    Row("session_keep_alive", everyone(OK)),
]
