"""Django's PostgreSQL backend, with every wait of a web request bounded (see ``base``)."""
