"""PySide6 widgets and models. They call services only: no SQL and no business rules here."""
