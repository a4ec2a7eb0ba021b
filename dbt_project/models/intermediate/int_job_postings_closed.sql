-- A posting not seen for close_after_days days (relative to the newest partition in the lake)
-- is closed; closed_at is the day after it was last seen.
with deduplicated as (
    select * from {{ ref('int_job_postings_deduplicated') }}
),

as_of as (
    select max(last_seen_date) as as_of_date from deduplicated
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
