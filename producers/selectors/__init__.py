"""Reads of the producers layer, one module per area; import from the module itself."""
