-- The answer's HTML report by language ({"ko": "<!DOCTYPE html>…", "en": …}), rendered
-- when the analysis ran, so the practice page shows the page `nevermind analyze --html`
-- writes.
ALTER TABLE attempt_analysis ADD COLUMN reports {{.JSON}};
