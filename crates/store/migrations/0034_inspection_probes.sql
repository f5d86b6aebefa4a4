-- Availability probes of the listed sites' home pages (the national indicator: at least 20 a
-- day for a week; pages not loaded within 15 s count as failed): one row per probe, read by
-- the next inspection of the site.
CREATE TABLE inspection_probes (
    site_id BIGINT NOT NULL REFERENCES inspection_sites(id),
    at TEXT NOT NULL,
    ok BIGINT NOT NULL,
    status BIGINT NOT NULL,
    ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, at)
);
