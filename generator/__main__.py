from .cli import exit_with

exit_with()
