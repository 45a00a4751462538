"""The customer-service desk: inbound mail, tickets, intents, canned responses, SLA."""
