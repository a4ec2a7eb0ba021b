-- Per campaign, at its latest ranking date: the skills its top matches ask for that the
-- campaign does not list, most demanded first. Top matches: rank <= skill_gap_max_rank or
-- score >= skill_gap_min_score.
-- The campaign's own skill list is matched_skills + missing_skills of any of its rows (the
-- scorer's missing_skills are campaign skills the JOB lacks, so the gap the other way round
-- comes from the jobs' skills in fact_jobs). Skills compare case-insensitively, as in scoring.
--   jobs_demanding: top matches listing the skill;
--   jobs_unlocked: top matches for which it is the only skill the campaign lacks (learning it
--     closes that job's skill gap);
--   coverage_pct: jobs_demanding as a share of the campaign's top matches.
with rankings as (
    select * from {{ ref('stg_ranking__job_rankings') }}
),

latest as (
    select campaign_id, max(ranking_date) as ranking_date
    from rankings
    group by campaign_id
),

top_matches as (
    select rankings.*
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
    )
),

top_counts as (
    select campaign_id, ranking_date, any_value(campaign_name) as campaign_name, count(*) as top_jobs
    from top_matches
    group by campaign_id, ranking_date
),

job_skills as (
    select distinct top_matches.campaign_id, top_matches.job_posting_key, skill
    from top_matches
    inner join (
        select job_posting_key, unnest(skills) as skill from {{ ref('fact_jobs') }}
    ) as jobs using (job_posting_key)
),

gaps as (
    select job_skills.*
    from job_skills
    anti join campaign_skills
        on campaign_skills.campaign_id = job_skills.campaign_id
        and campaign_skills.skill_lc = lower(job_skills.skill)
),

gaps_per_job as (
    select campaign_id, job_posting_key, count(*) as gap_count
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
    inner join gaps_per_job using (campaign_id, job_posting_key)
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
