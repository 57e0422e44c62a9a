"""PostgreSQL refuses an order status change that the transition table does not list,
whoever writes the row: the admin, a script, psql. The table mirrors ALLOWED_TRANSITIONS in
apps/orders/services.py (a test compares them). Only the table's owner can switch the trigger
off; the demo loader does, for its own transaction, to reset demo orders."""

from django.db import migrations

TRANSITIONS = [
    ("pending", "paid"),
    ("pending", "cancelled"),
    ("paid", "shipped"),
    ("paid", "cancelled"),
    ("shipped", "delivered"),
]

FORWARD = f"""
CREATE TABLE orders_status_transition (
    from_status varchar(20) NOT NULL,
    to_status varchar(20) NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO orders_status_transition (from_status, to_status) VALUES
    {", ".join(f"('{a}', '{b}')" for a, b in TRANSITIONS)};

CREATE FUNCTION orders_order_check_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND NOT EXISTS (
           SELECT 1 FROM orders_status_transition t
           WHERE t.from_status = OLD.status AND t.to_status = NEW.status
       ) THEN
        RAISE EXCEPTION 'order % cannot go from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation',
                  HINT = 'Order status changes go through the order service.';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_order_status_transition
    BEFORE UPDATE OF status ON orders_order
    FOR EACH ROW EXECUTE FUNCTION orders_order_check_status_transition();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS orders_order_status_transition ON orders_order;
DROP FUNCTION IF EXISTS orders_order_check_status_transition();
DROP TABLE IF EXISTS orders_status_transition;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_most_wishlisted")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
