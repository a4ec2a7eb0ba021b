"""The job seeker's own records: application statuses, history, interviews and offers (SQLite,
outside the data root). Pure package: no Dagster import."""
