"""Reading migration files as source: no project code is imported or executed."""
