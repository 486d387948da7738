"""The VIP dataset: schema, validation, label filters and items."""
