-- Help for later (issue 28): the figures count planned requests by when they were taken
-- (`created_at`), per period; this index lets them read only the period's rows.
CREATE INDEX planned_requests_created ON planned_requests(created_at);
