-- Issue 18: name search without a scan. The spelling keys (persons.name_key, domain::name)
-- are indexed as trigrams in an FTS5 table kept current by triggers, so a search for a word
-- of three letters or more reads the index instead of every person (spelling variants meet
-- because both sides are keys; the final y/i of Sity/Siti meets only since key version 2, after
-- the stored keys are re-keyed: docs/OPERATIONS.md "Name search"). External content: the keys
-- are stored once, in persons, and a re-keying moves them in the index through the trigger below.
CREATE VIRTUAL TABLE persons_name_fts USING fts5(
    name_key, content = 'persons', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO persons_name_fts (persons_name_fts) VALUES ('rebuild');
CREATE TRIGGER persons_name_fts_i AFTER INSERT ON persons BEGIN
    INSERT INTO persons_name_fts (rowid, name_key) VALUES (NEW.id, NEW.name_key);
END;
CREATE TRIGGER persons_name_fts_u AFTER UPDATE OF name_key ON persons WHEN NEW.name_key <> OLD.name_key BEGIN
    INSERT INTO persons_name_fts (persons_name_fts, rowid, name_key) VALUES ('delete', OLD.id, OLD.name_key);
    INSERT INTO persons_name_fts (rowid, name_key) VALUES (NEW.id, NEW.name_key);
END;
CREATE TRIGGER persons_name_fts_d AFTER DELETE ON persons BEGIN
    INSERT INTO persons_name_fts (persons_name_fts, rowid, name_key) VALUES ('delete', OLD.id, OLD.name_key);
END;
