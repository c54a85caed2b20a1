ALTER TABLE attempt_analysis DROP COLUMN unavailable;
