"""The REST API (/api/v1/): public reads and authenticated writes through the services."""
