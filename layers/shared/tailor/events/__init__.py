"""Shop events in two dialects: canonical Tailor events and Shopify webhooks."""
