-- Prompt caching (docs/ecosystem.md §11): the input tokens the API wrote to and read from its
-- prompt cache, reported apart from input_tokens (which counts only uncached input) and priced
-- at 1.25x and 0.1x of the input price in cost_usd.
ALTER TABLE sessions ADD COLUMN cache_creation_input_tokens INTEGER;
ALTER TABLE sessions ADD COLUMN cache_read_input_tokens INTEGER;
