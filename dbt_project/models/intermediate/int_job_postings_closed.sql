-- A posting not seen for more than close_after_days days before the newest partition in the
-- warehouse is closed; closed_at is the day after it was last seen. Same rule as the ranking's
-- active-jobs query (last_seen_date >= day - close_after_days), so both agree.
with deduplicated as (
    select hash_key, last_seen_date from {{ ref('int_job_postings_deduplicated') }}
),

as_of as (
    select max(partition_date) as as_of_date from {{ ref('int_job_sightings') }}
),

flagged as (
    select
        deduplicated.hash_key,
        deduplicated.last_seen_date,
        as_of.as_of_date,
        deduplicated.last_seen_date
            < as_of.as_of_date - {{ var('close_after_days') }}::integer as is_closed
    from deduplicated
    cross join as_of
)

select
    hash_key,
    last_seen_date,
    as_of_date,
    is_closed,
    case when is_closed then last_seen_date + 1 end as closed_at
from flagged
