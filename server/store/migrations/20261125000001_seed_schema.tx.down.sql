DROP TABLE IF EXISTS feedback_summary;
--bun:split
DROP TABLE IF EXISTS media_asset;
--bun:split
DROP TABLE IF EXISTS attempts;
--bun:split
DROP TABLE IF EXISTS session_question;
--bun:split
DROP TABLE IF EXISTS sessions;
--bun:split
DROP TABLE IF EXISTS generated_question;
--bun:split
DROP TABLE IF EXISTS basic_question;
--bun:split
DROP TABLE IF EXISTS resume;
--bun:split
DROP TABLE IF EXISTS content;
--bun:split
DROP TABLE IF EXISTS user_profiles;
