"""The production rehearsal (bin/rehearse): docker-compose.yml run without Docker."""
