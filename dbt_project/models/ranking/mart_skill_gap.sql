-- Per campaign, at its latest ranking date: the skills its top matches ask for that the
-- campaign does not list, most demanded first. Top matches: rank <= skill_gap_max_rank or
-- score >= skill_gap_min_score.
-- The campaign's own skill list is matched_skills + missing_skills of any of its rows (the
-- scorer splits the campaign's full list into the two on every row; missing_skills are campaign
-- skills the JOB lacks, so the gap the other way round comes from the jobs' skills in
-- fact_jobs), so only its rank-1 row is unnested, not all of its rankings' lists.
-- Skills compare case-insensitively, as in scoring.
--   jobs_demanding: top matches listing the skill;
--   jobs_unlocked: top matches for which it is the only skill the campaign lacks (learning it
--     closes that job's skill gap);
--   coverage_pct: jobs_demanding as a share of the campaign's top matches.
-- not materialized: DuckDB materializes a CTE that is read more than once, here every
-- ranking's every column (10M rows at 1M jobs x 10 campaigns: 3.1 GB); inlined, each read
-- scans only the columns and rows it needs
with rankings as not materialized (
    select * from {{ ref('stg_ranking__job_rankings') }}
),

latest as (
    select campaign_id, max(ranking_date) as ranking_date
    from rankings
    group by campaign_id
),

top_matches as (
    select rankings.campaign_id, rankings.ranking_date, rankings.campaign_name, rankings.job_sk
    from rankings
    inner join latest using (campaign_id, ranking_date)
    where rankings.rank <= {{ var('skill_gap_max_rank') }}
        or rankings.score >= {{ var('skill_gap_min_score') }}
),

campaign_skills as (
    select distinct campaign_id, lower(skill) as skill_lc
    from (
        select campaign_id, unnest(list_concat(matched_skills, missing_skills)) as skill
        from rankings
        inner join latest using (campaign_id, ranking_date)
        where rankings.rank = 1
    )
),

top_counts as (
    select campaign_id, ranking_date, any_value(campaign_name) as campaign_name, count(*) as top_jobs
    from top_matches
    group by campaign_id, ranking_date
),

-- jobs by their integer job_sk, skills from the bridge (one row per job and skill, already
-- distinct): the hash tables hold integers instead of md5 strings (with --anywhere campaigns at
-- 1M jobs, 9.7M job-skill rows of top matches)
job_skills as (
    select top_matches.campaign_id, top_matches.job_sk, bridge.skill
    from top_matches
    inner join {{ ref('bridge_job_skills') }} as bridge using (job_sk)
),

gaps as (
    select job_skills.*
    from job_skills
    anti join campaign_skills
        on campaign_skills.campaign_id = job_skills.campaign_id
        and campaign_skills.skill_lc = lower(job_skills.skill)
),

gaps_per_job as (
    select campaign_id, job_sk, count(*) as gap_count
    from gaps
    group by all
),

per_skill as (
    select
        gaps.campaign_id,
        gaps.skill,
        count(*) as jobs_demanding,
        count(*) filter (where gaps_per_job.gap_count = 1) as jobs_unlocked
    from gaps
    inner join gaps_per_job using (campaign_id, job_sk)
    group by all
)

select
    top_counts.ranking_date,
    per_skill.campaign_id,
    top_counts.campaign_name,
    per_skill.skill,
    row_number() over (
        partition by per_skill.campaign_id
        order by per_skill.jobs_demanding desc, per_skill.jobs_unlocked desc, per_skill.skill
    ) as gap_rank,
    top_counts.top_jobs,
    per_skill.jobs_demanding,
    per_skill.jobs_unlocked,
    round(100.0 * per_skill.jobs_demanding / top_counts.top_jobs, 1) as coverage_pct
from per_skill
inner join top_counts using (campaign_id)
