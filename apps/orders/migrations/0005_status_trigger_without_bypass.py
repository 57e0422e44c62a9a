"""The status trigger without the session-setting escape hatch of 0004: any client could set
modestwear.demo_reset. The demo loader now disables the trigger for its own transaction,
which only the table's owner may do."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION orders_order_check_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
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
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_status_transitions")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
