-- One row per hash_key across every day and source.
-- Preferred record rule: a direct employer board (Greenhouse, Lever, Ashby, or a JSearch
-- posting marked direct) wins over an aggregator copy; among equals the newest sighting wins;
-- job_id breaks the last tie so the choice is deterministic.
-- The winner is picked with max_by over keys only and the wide columns are joined back once.
with postings as (
    select * from {{ ref('stg_lake__job_postings') }}
),

sightings as (
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
    from postings
    group by hash_key
),

joined as (
    select
        postings.* exclude (is_direct, partition_date),
        postings.partition_date as preferred_partition_date,
        sightings.first_seen_at,
        sightings.last_seen_at,
        sightings.first_seen_date,
        sightings.last_seen_date,
        sightings.days_seen,
        sightings.times_seen,
        sightings.sources,
        sightings.source_job_ids,
        sightings.is_direct
    from sightings
    inner join postings
        on postings.job_id = sightings.preferred.job_id
        and postings.partition_date = sightings.preferred.partition_date
)

select * from joined
