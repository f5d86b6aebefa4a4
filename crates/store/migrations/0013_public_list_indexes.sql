-- The public lists (the site, a unit, a category), newest first, read from partial indexes that
-- hold only public items and cover the columns the list reads: deep pages walk the index alone.
CREATE INDEX items_public ON items(published_at, id, published_revision) WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL;
CREATE INDEX items_public_unit ON items(unit_id, published_at, id, published_revision) WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL;
CREATE INDEX items_public_category ON items(category_id, published_at, id, published_revision) WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL;
