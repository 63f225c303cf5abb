"""Channel analytics (issue 36): the channel metrics, aggregated in SQL over the other
domains' tables (registrations, opportunities, plans, leads, cases). Top of the partners
layers, next to partners.demo and partners.webhooks: it reads every domain, none reads it."""
