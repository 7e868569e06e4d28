"""The SQL of record(): digests, items and deliveries inserted set-based, on PostgreSQL or SQLite.

Each statement reads the sweep's items from one JSON array parameter
([user, member, school, subject, due, params, url] per item), unpacked by the
database (jsonb_array_elements, json_each), so a statement does not grow with
the items. Conflicts on the unique constraints (a digest per recipient, kind
and window; an item per recipient, kind, subject and due; a delivery per
digest and channel) are left alone (ON CONFLICT DO NOTHING): a duplicated
tick, a retried sweep or a second worker fills what is there. RETURNING
(SQLite 3.35 and later) hands back what this statement inserted.
"""

from dataclasses import dataclass
from functools import cache

from accounts.models import User
from campussafety.ids import ID_ROWS
from reminders.choices import Channel, DeliveryStatus
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings

N = Notification._meta.db_table
ITEM = NotificationItem._meta.db_table
DELIVERY = Delivery._meta.db_table
SETTINGS = NotificationSettings._meta.db_table
USER = User._meta.db_table

# One JSON item unpacked into columns, by vendor.
_ITEMS = {
    "postgresql": (
        "SELECT (e->>0)::bigint AS user_id, (e->>1)::bigint AS member_id, "
        "(e->>2)::bigint AS school_id, e->>3 AS subject, e->>4 AS due, e->5 AS params, "
        "e->>6 AS url FROM jsonb_array_elements(%s::jsonb) AS e"
    ),
    "sqlite": (
        "SELECT json_extract(value, '$[0]') AS user_id, json_extract(value, '$[1]') AS member_id, "
        "json_extract(value, '$[2]') AS school_id, json_extract(value, '$[3]') AS subject, "
        "json_extract(value, '$[4]') AS due, json(json_extract(value, '$[5]')) AS params, "
        "json_extract(value, '$[6]') AS url FROM json_each(%s)"
    ),
}

# The channels of a digest, as NotificationSettings.channels() words them for a user
# (the inbox always; email, SMS and the webhook when chosen and reachable), and SMS
# alone for a post member. `rank` keeps a digest's deliveries in that order.
_CHANNELS = " UNION ALL ".join(
    f"SELECT '{channel}' AS channel, {rank} AS rank"
    for rank, channel in enumerate((Channel.IN_APP, Channel.EMAIL, Channel.SMS, Channel.WEBHOOK))
)
_CHOSEN = (
    f"(n.member_id IS NOT NULL AND c.channel = '{Channel.SMS}') OR (n.user_id IS NOT NULL AND ("
    f"c.channel = '{Channel.IN_APP}'"
    f" OR (c.channel = '{Channel.EMAIL}' AND s.email_enabled AND u.email <> '')"
    f" OR (c.channel = '{Channel.SMS}' AND s.sms_enabled AND s.phone <> '')"
    f" OR (c.channel = '{Channel.WEBHOOK}' AND s.webhook_url <> '')))"
)


def unpacked_items(vendor: str) -> str:
    """A SELECT of the items of one JSON array parameter, as columns."""
    return _ITEMS[vendor]


@dataclass(frozen=True)
class Statements:
    # [recipients, kind, window, created] -> the ids of the digests created; `recipients`
    # is the items' JSON cut to [user, member, school] (the other columns unpack as NULL).
    digests: str
    # [items, kind, kind, window, new digest ids]: each item into its recipient's digest
    # of the window -> the new digests left without items (items_return_empty), or the
    # digest of each item inserted.
    items: str
    items_return_empty: bool
    # [digest ids]: the new digests left without items go.
    empty: str
    # [sent_at, created, digest ids] -> (id, status) of the deliveries created.
    deliveries: str


def _items_leaving_empty(vendor, insert_items, ids) -> str:
    """The items' INSERT, answering which of the new digests it left without items.

    Worked out from what the INSERT returns, never by looking the new rows up again:
    until autovacuum has analysed them, the planner takes the item table for as
    empty as it was (a fresh install) and an anti-join against it scanned the
    whole table once per digest (three minutes for a morning's 26,000 digests).
    PostgreSQL takes the difference itself (the INSERT in a WITH clause); SQLite,
    which cannot, hands back each item's digest, subtracted in Python.
    """
    if vendor == "postgresql":
        return (
            f"WITH d AS ({_ITEMS[vendor]}), ins AS ({insert_items}) "
            f"{ids} EXCEPT SELECT notification_id FROM ins"
        )
    return f"WITH d AS ({_ITEMS[vendor]}) {insert_items}"


@cache
def statements(vendor: str) -> Statements:
    items = _ITEMS.get(vendor)
    if items is None:
        raise NotImplementedError(f"record() speaks PostgreSQL and SQLite, not {vendor}")
    ids = ID_ROWS[vendor]
    recipient = "COALESCE(d.user_id, 0), COALESCE(d.member_id, 0)"
    insert_items = (
        f"INSERT INTO {ITEM} "
        "(notification_id, user_id, member_id, kind, subject, due, school_id, params, url) "
        "SELECT n.id, d.user_id, d.member_id, %s, d.subject, d.due, d.school_id, d.params, "
        f' d.url FROM d JOIN {N} n ON n.kind = %s AND n."window" = %s'
        " AND COALESCE(n.user_id, 0) = COALESCE(d.user_id, 0)"
        " AND COALESCE(n.member_id, 0) = COALESCE(d.member_id, 0) "
        f"WHERE true ORDER BY {recipient}, d.subject ON CONFLICT DO NOTHING "
        "RETURNING notification_id"
    )
    return Statements(
        # A digest names its school when all its items are about that one school.
        # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
        digests=(
            f"WITH d AS ({items}) "
            f'INSERT INTO {N} (user_id, member_id, kind, "window", school_id, created) '
            "SELECT d.user_id, d.member_id, %s, %s, "
            " CASE WHEN COUNT(DISTINCT d.school_id) = 1 AND COUNT(d.school_id) = COUNT(*)"
            " THEN MIN(d.school_id) END, %s "
            f"FROM d WHERE true GROUP BY d.user_id, d.member_id ORDER BY {recipient} "
            "ON CONFLICT DO NOTHING RETURNING id"
        ),
        items=_items_leaving_empty(vendor, insert_items, ids),
        items_return_empty=vendor == "postgresql",
        empty=f"DELETE FROM {N} WHERE id IN ({ids})",
        deliveries=(
            f"INSERT INTO {DELIVERY} "
            "(notification_id, channel, status, attempts, last_error, sent_at, created) "
            f"SELECT n.id, c.channel, CASE WHEN c.channel = '{Channel.IN_APP}' "
            f" THEN '{DeliveryStatus.SENT}' ELSE '{DeliveryStatus.PENDING}' END, 0, '', "
            f" CASE WHEN c.channel = '{Channel.IN_APP}' THEN %s END, %s "
            f"FROM {N} n CROSS JOIN ({_CHANNELS}) c "
            f"LEFT JOIN {SETTINGS} s ON s.user_id = n.user_id "
            f"LEFT JOIN {USER} u ON u.id = n.user_id "
            f"WHERE n.id IN ({ids}) AND ({_CHOSEN}) "
            "ORDER BY n.id, c.rank ON CONFLICT DO NOTHING RETURNING id, status"
        ),
    )
