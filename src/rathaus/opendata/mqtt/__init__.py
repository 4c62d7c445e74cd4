"""The SensorThings MQTT extension (OGC 18-088 §14.2 "MQTT create", ADR 0059): a local
mosquitto for the demo and the tests (``broker``), what a message means (``messages``), the
consumer that stores them in batches (``consumer``) and the demo's sensor simulator
(``simulator``)."""
