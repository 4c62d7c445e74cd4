"""Open data: sensors and their observations (OGC SensorThings API 1.1), dashboards and alerts."""
