"""Tailor: tailored operational emails for online shops (the shared Lambda layer).

Layout: the packages are the families of work, the top-level modules what they share.

- `events/`: what comes in, in both dialects (canonical Tailor events, Shopify webhooks),
  validated into models; `events/inbound.parse` is every handler's first call.
- `emails/`: one module per email type: what goes into it, built from events and profiles.
- `aftercare/`: after the order: the orders, shipments, refunds, reviews and reminders
  Tailor remembers and schedules for the emails that follow a purchase.
- `alerts/`: catalog-driven alerts: interest requests, the catalog stream, the fan-out and
  the sender, and the private-sale link.
- `support/`: the customer-service desk: inbound mail, tickets, intents, canned responses,
  replies, the SLA watchdog, and the moderation of comments and reviews.
- `referrals/`: refer a friend: share links, invitations and their codes (kept by code in
  the referrals table), the friend's response and first order, rewards after the return
  window, and the fraud rules each passes.
- `attribution/`: what each email earns: the click redirect's links, orders attributed to
  the code, landing site or last click that earned them, holdouts, and the results report.
- `templates/`: the Jinja2 templates, one folder per email type, plus `pages/` (function-URL
  pages) and `canned/` (the desk's canned responses).

Top-level modules, by what they serve:

- Sending, the one path to SES: `delivery` (deliver an email), `policy` (send, defer or
  skip), `consent`, `render`, `mail` (MIME, SES), `headers`, `addresses`, `links` (signed
  tokens and checked URLs), `i18n`, and `feedback` (SES bounces and complaints).
- The shop's memory: `catalog`, `profiles`, `sync` (catalog, profiles and purchase history
  kept current), `recommend` (cross-sell).
- Function URLs a customer opens: `offers` (the add-to-your-order link), `preferences` (the
  preference centre), `web` (their responses); the private-sale link is `alerts.access`,
  the "tell a friend" page `referrals.page`.
- Plumbing every function uses: `settings`, `aws`, `observability`, `clock`,
  `idempotency` (exactly once), `transactions`, `scheduling` (one-time schedules).

Functions (`functions/<name>/app.py`) are named after what they do: the folder, the logical
id in template.yaml (`<Name>Function`) and POWERTOOLS_SERVICE_NAME agree, except where a
function's service is the one email type it sends (newsletter_signup, support_inbound,
support_watchdog), so that metrics count per email type.
"""
