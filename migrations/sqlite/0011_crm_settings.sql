-- The CRM settings of a portal (one row, written on first change) and the currency rates its
-- admins keep: the original keeps both per tenant (its TenantSettings and crm_currency_rate);
-- nothing is fetched from outside.
--
-- The two "group" settings say what the web client does when a company's status or tags
-- change: NULL asks the user each time, 1 applies the change to its persons too, 0 does not.
-- write_mail_to_history_auto: whether mail sent to a contact is written to its history.
CREATE TABLE crm_settings (
    portal_id                         INTEGER PRIMARY KEY REFERENCES portals(id),
    change_contact_status_group_auto  INTEGER,
    add_tag_to_contact_group_auto     INTEGER,
    write_mail_to_history_auto        INTEGER,
    default_currency                  TEXT
);

-- One rate per ordered pair: 1 from_currency is worth `rate` to_currency.
CREATE TABLE crm_currency_rates (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id      INTEGER NOT NULL REFERENCES portals(id),
    from_currency  TEXT    NOT NULL,
    to_currency    TEXT    NOT NULL,
    rate           REAL    NOT NULL,
    UNIQUE (portal_id, from_currency, to_currency)
);
