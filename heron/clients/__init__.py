"""Programs that talk to a Heron server from elsewhere: the voice satellite (the device side
of a smart speaker, `heron satellite`)."""
