"""What the tests share that is not a fixture: events, mail parsing, fault injection, shops."""
