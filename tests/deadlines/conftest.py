# The real-server fixtures of the integration suite, for this app's integration tests.
from tests.integration.conftest import postgres, redis_client  # noqa: F401
