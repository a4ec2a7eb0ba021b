-- Top matches per campaign and ranking date, with what changed since the previous ranking:
-- is_new (not in that campaign's previous top list) and the score change.
-- not materialized: DuckDB materializes a CTE that is read more than once, here every
-- ranking's every column (10M rows at 1M jobs x 10 campaigns: 3.1 GB); inlined, each read
-- scans only the columns and rows it needs
with rankings as not materialized (
    select * from {{ ref('stg_ranking__job_rankings') }}
),

top as (
    select *
    from rankings
    where rank <= {{ var('top_n', 25) }}
),

previous_dates as (
    select
        campaign_id,
        ranking_date,
        lag(ranking_date) over (partition by campaign_id order by ranking_date) as previous_date
    from (select distinct campaign_id, ranking_date from rankings)
),

-- the previous ranking's scores of today's top jobs only, instead of joining the top rows to
-- every ranking (10M rows at 1M jobs x 10 campaigns)
previous_scores as (
    select rankings.campaign_id, rankings.ranking_date, rankings.job_posting_key, rankings.score
    from rankings
    inner join (
        select distinct top.campaign_id, previous_dates.previous_date as ranking_date,
            top.job_posting_key
        from top
        inner join previous_dates using (campaign_id, ranking_date)
        where previous_dates.previous_date is not null
    ) as wanted using (campaign_id, ranking_date, job_posting_key)
),

final as (
    select
        top.ranking_date,
        top.campaign_id,
        top.job_posting_key,
        top.job_id,
        top.rank,
        top.score,
        top.matched_skills,
        top.missing_skills,
        top.rank_explain,
        previous_top.job_posting_key is null as is_new,
        top.score - previous_all.score as score_change
    from top
    inner join previous_dates using (campaign_id, ranking_date)
    left join top as previous_top
        on previous_top.campaign_id = top.campaign_id
        and previous_top.ranking_date = previous_dates.previous_date
        and previous_top.job_posting_key = top.job_posting_key
    left join previous_scores as previous_all
        on previous_all.campaign_id = top.campaign_id
        and previous_all.ranking_date = previous_dates.previous_date
        and previous_all.job_posting_key = top.job_posting_key
)

select * from final
