-- The persons of each listed company are counted with `company_id = <the company> AND
-- company_id <> 0`. Most contacts have no company (0), and when every contact of a portal has
-- none, PostgreSQL's statistics say any value of company_id matches every row, so the planner
-- walked all contacts once per listed company: 25 companies at 100,000 contacts took 500 ms.
-- This index holds only the persons that have a company, so it is small and always the cheap
-- way to count them (0.7 ms).
CREATE INDEX crm_contacts_members ON crm_contacts(portal_id, company_id) WHERE company_id <> 0;
