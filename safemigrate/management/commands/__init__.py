"""``manage.py safemigrate``."""
