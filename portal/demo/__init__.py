"""The demo marketplace built by ``manage.py seed_demo`` (see core/management/commands)."""
