-- Issue 18: the indicator aggregates' generation. Every refresh that may change
-- indicator_values moves it on in the same transaction; servers keep figures computed from the
-- aggregates until it moves (app::monitoring::FigureCache). Set here so a database whose
-- aggregates are current (nothing left to refresh) is cached from the first request.
INSERT INTO meta (key, value) VALUES ('indicators_generation', '1') ON CONFLICT (key) DO NOTHING;
