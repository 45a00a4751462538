"""After the order: what Tailor remembers and schedules once an order is placed.

Shipments and their tracking links, carrier progress, cancellations and refunds, the
come-back code in shipping confirmations, review requests a few days after delivery and
replenishment reminders when a product's interval has passed. The emails themselves live
in `tailor.emails` (shipping, refunds, review_request, replenishment).
"""
