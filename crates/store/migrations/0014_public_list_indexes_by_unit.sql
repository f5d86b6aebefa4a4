-- Catalog categories are the district's standard ones, shared by every unit, so a category page
-- is a unit's items in one category (or, for a parent, in several): the unit's list index also
-- covers the category, and a unit's single category has an index of its own.
DROP INDEX items_public_unit;
CREATE INDEX items_public_unit ON items(unit_id, published_at, id, published_revision, category_id) WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL;
CREATE INDEX items_public_unit_category ON items(unit_id, category_id, published_at, id, published_revision) WHERE published_revision IS NOT NULL AND withdrawn_at IS NULL;
