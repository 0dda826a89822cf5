"""Importers for the ONS Standard Occupational Classification files."""
