ALTER TABLE attempt_analysis DROP COLUMN reports;
