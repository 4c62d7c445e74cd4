"""The OGC SensorThings API 1.1 (Part 1: Sensing) under ``/sta/v1.1/``."""
