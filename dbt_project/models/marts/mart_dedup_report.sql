-- Per partition day: what deduplication did. rows_in sightings (source records) ->
-- exact-duplicate merges (same hash_key, within the day) -> near-duplicate merges (distinct
-- hash_keys that fall into one near-duplicate cluster) -> retained (clusters).
-- new_postings counts postings first seen that day (exact-duplicate merges across days).
with sightings as (
    select partition_date, hash_key, source from {{ ref('int_job_sightings') }}
),

postings as (
    select hash_key, first_seen_date from {{ ref('int_job_postings_deduplicated') }}
),

clusters as (
    select hash_key, near_duplicate_cluster_key
    from {{ ref('int_job_postings_near_duplicates') }}
),

per_day as (
    select
        sightings.partition_date,
        count(*) as rows_in,
        count(distinct sightings.source) as sources,
        count(distinct sightings.hash_key) as unique_postings,
        count(distinct clusters.near_duplicate_cluster_key) as retained,
        count(distinct sightings.hash_key) filter (
            where postings.first_seen_date = sightings.partition_date
        ) as new_postings
    from sightings
    inner join postings using (hash_key)
    inner join clusters using (hash_key)
    group by sightings.partition_date
)

select
    partition_date,
    rows_in,
    sources,
    rows_in - unique_postings as exact_duplicate_merges,
    unique_postings - retained as near_duplicate_merges,
    retained,
    new_postings
from per_day
