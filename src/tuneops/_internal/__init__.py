"""Private helpers shared by every subpackage: errors, validation, logging."""
