"""A realistic national dataset for load and scale work: `python main.py seed-national --cases N`."""
