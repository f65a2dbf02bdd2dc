"""Knowledge: an offline world-facts graph (pyoxigraph, SPARQL), entity linking, and answers."""
