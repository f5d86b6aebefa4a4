-- An imported item remembers the key of the row it came from (a hash of the row's content), so
-- that an import run again — after a crash, a kill or by mistake — skips the rows already in
-- instead of publishing them a second time under new index numbers.
ALTER TABLE items ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX items_import_key ON items(import_key);
