"""The private journal: reflections written for the program's prompts."""
