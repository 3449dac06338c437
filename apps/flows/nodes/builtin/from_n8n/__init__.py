"""Converters from n8n nodes to the built-in steps' parameters, one module per module of steps."""
