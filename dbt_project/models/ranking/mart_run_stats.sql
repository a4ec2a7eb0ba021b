-- Per partition: fetched -> normalized -> quarantined -> unique -> ranked.
with ingest as (
    select
        partition_date,
        sum(fetched)::bigint as fetched,
        sum(normalized)::bigint as normalized,
        sum(quarantined)::bigint as quarantined
    from {{ ref('stg_lake__ingest_stats') }}
    group by partition_date
),

uniques as (
    select partition_date, count(distinct hash_key) as unique_postings
    from {{ ref('int_job_sightings') }}
    group by partition_date
),

ranked as (
    select ranking_date as partition_date, count(*) as ranked, count(distinct campaign_id) as campaigns
    from {{ ref('stg_ranking__job_rankings') }}
    group by ranking_date
)

select
    ingest.partition_date,
    ingest.fetched,
    ingest.normalized,
    ingest.quarantined,
    coalesce(uniques.unique_postings, 0) as unique_postings,
    coalesce(ranked.ranked, 0) as ranked,
    coalesce(ranked.campaigns, 0) as campaigns
from ingest
left join uniques using (partition_date)
left join ranked using (partition_date)
