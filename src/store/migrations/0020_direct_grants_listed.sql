-- The supervisors' list of access shows grants given directly beside the requests decided
-- (issue 15): a grant no request points at was given directly. This finds those at once.
CREATE INDEX access_requests_grant ON access_requests(grant_id) WHERE grant_id IS NOT NULL;
