-- Issue 19, DHIS2 interoperability (docs/DHIS2.md).
-- Org units of a ministry's DHIS2 matched to our regions by code: exports may then name
-- them by uid (idScheme=uid) or by DHIS2's own spelling of the code.
CREATE TABLE dhis2_org_units (
    region_code TEXT PRIMARY KEY REFERENCES regions(code),
    uid         TEXT NOT NULL UNIQUE,
    dhis2_code  TEXT NOT NULL,
    name        TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
-- Overrides of the default data element of an indicator (DMP_<KEY>); an indicator without a
-- row is sent under its default.
CREATE TABLE dhis2_data_elements (
    indicator             TEXT PRIMARY KEY,
    data_element          TEXT NOT NULL,
    category_option_combo TEXT NOT NULL DEFAULT '',
    updated_by            BIGINT,
    updated_at            BIGINT NOT NULL
);
