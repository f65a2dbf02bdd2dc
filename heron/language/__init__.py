"""Language understanding: normalisation, typed slot parsers, intent templates and routing."""
