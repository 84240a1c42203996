"""The command-line interface: parse arguments, call the library, format the result."""
