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
),

-- The Tableau/CLI exports carry each campaign's latest ranking: a partition's ranking rows are
-- "exported" while its day is that campaign's latest ranking date.
latest as (
    select campaign_id, max(ranking_date) as ranking_date
    from {{ ref('stg_ranking__job_rankings') }}
    group by campaign_id
),

exported as (
    select rankings.ranking_date as partition_date, count(*) as exported
    from {{ ref('stg_ranking__job_rankings') }} as rankings
    inner join latest using (campaign_id, ranking_date)
    group by rankings.ranking_date
)

select
    ingest.partition_date,
    ingest.fetched,
    ingest.normalized,
    ingest.quarantined,
    coalesce(uniques.unique_postings, 0) as unique_postings,
    coalesce(ranked.ranked, 0) as ranked,
    coalesce(ranked.campaigns, 0) as campaigns,
    coalesce(exported.exported, 0) as exported
from ingest
left join uniques using (partition_date)
left join ranked using (partition_date)
left join exported using (partition_date)
