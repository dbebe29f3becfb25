"""Protocol peers the tests run on loopback: fakes of services that cannot run here (Datadog),
and real ones (Prometheus) loaded with recorded data."""
