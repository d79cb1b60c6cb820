"""REST API v1 of cases (serializers, filters, views); routes are added by ``register``."""
