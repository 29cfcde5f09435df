"""Performance reports for local authorities and ICBs: statutory time limits met, in figures and charts."""
