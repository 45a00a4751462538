"""One module per email type: what goes into the email, built from events and profiles."""
