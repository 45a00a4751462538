"""Catalog-driven alerts: back in stock, price drops and sales, private sales for wish lists.

How the pieces fit (each function in template.yaml's "catalog alerts" section):

- `requests`: canonical interest events -> the interests table (`store`).
- `changes`: the catalog table's stream -> what changed that someone may care about
  (a restock, a price drop, a sale starting), as work on the fan-out queue.
- `fanout`: one change -> the people to tell, in waves for restocks, written to the
  delivery queue many recipients per message.
- `sender`: delivery messages -> one email per recipient, each claimed first so that no
  subscription is told twice about one change, through the one sending policy.
- `access`: the private sale's signed link -> the shop (functions/private_sale_link).
"""
