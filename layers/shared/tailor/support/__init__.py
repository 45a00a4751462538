"""The customer-service desk: inbound mail, tickets, intents, canned responses, SLA, and the
moderation of comments and reviews mailed or submitted by customers."""
