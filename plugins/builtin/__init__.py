"""The default rules, each an ordinary plugin module (registered by plugins.manager)."""

# Module paths of the built-in plugins; each is registered under its module path and can
# be switched off by that name with COSELL_DISABLE_PLUGINS.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "plugins.builtin.locator_database",  # D7: the partner directory in the database, trylast
    "plugins.builtin.reseller_rules",  # R1–R4, R6, R7: cosell_validate_opportunity
    "plugins.builtin.precedence",  # R8: cosell_primary_partner, trylast
    "plugins.builtin.discounts",  # D5, D6, P7–P10: cosell_partner_discount, trylast
    "plugins.builtin.lead_partner",  # P11: cosell_lead_partner, the database choice, trylast
)
