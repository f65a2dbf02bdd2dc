"""Built-in skills, one module each; a module joins the assistant by defining `skill`."""
