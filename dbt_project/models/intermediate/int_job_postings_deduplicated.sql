-- One row per hash_key across every day and source.
-- Preferred record rule: a direct employer board (Greenhouse, Lever, Ashby, or a JSearch
-- posting marked direct) wins over an aggregator copy; among equals the newest sighting wins;
-- job_id breaks the last tie so the choice is deterministic.
-- The winner is picked with max_by over keys only and the wide columns are joined back once
-- (a window over full rows is ~15x slower at 1M rows).
-- not materialized: read twice, a materialized CTE would copy every sighting's every column
-- first; inlined, the aggregate reads only its key columns
with sightings as not materialized (
    select * from {{ ref('int_job_sightings') }}
),

history as (
    select
        hash_key,
        min(collected_at) as first_seen_at,
        max(collected_at) as last_seen_at,
        min(partition_date) as first_seen_date,
        max(partition_date) as last_seen_date,
        count(distinct partition_date) as days_seen,
        count(*) as times_seen,
        list(distinct source order by source) as sources,
        list(distinct job_id order by job_id) as source_job_ids,
        bool_or(is_direct) as is_direct,
        max_by(
            {'job_id': job_id, 'partition_date': partition_date},
            {'direct': is_direct::int, 'seen': collected_at, 'job_id': job_id}
        ) as preferred
    from sightings
    group by hash_key
),

joined as (
    select
        sightings.* exclude (is_direct, partition_date),
        sightings.partition_date as preferred_partition_date,
        history.first_seen_at,
        history.last_seen_at,
        history.first_seen_date,
        history.last_seen_date,
        history.days_seen,
        history.times_seen,
        history.sources,
        history.source_job_ids,
        history.is_direct
    from history
    inner join sightings
        on sightings.job_id = history.preferred.job_id
        and sightings.partition_date = history.preferred.partition_date
)

select * from joined
