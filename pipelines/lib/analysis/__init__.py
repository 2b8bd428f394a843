"""Analysis of protected figures: every function here reads published values only."""
