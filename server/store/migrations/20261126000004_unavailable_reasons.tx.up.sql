-- Why a modality produced no result (e.g. {"pose": "no person was detected"}),
-- so the API can say so instead of a generic message.
ALTER TABLE attempt_analysis ADD COLUMN unavailable {{.JSON}};
