DROP TABLE IF EXISTS attempt_analysis;
--bun:split
DROP TABLE IF EXISTS analysis_jobs;
