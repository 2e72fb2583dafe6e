"""Facts from vendors' documentation, kept as data with their sources, shared by probe, plan and verify."""
