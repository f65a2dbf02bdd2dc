"""The `heron` command line: a thin edge over the same engine the server uses."""
