with jobs as (
    select job_posting_key, skills from {{ ref('fact_jobs') }}
),

exploded as (
    select distinct job_posting_key, unnest(skills) as skill from jobs
)

select
    exploded.job_posting_key,
    md5(exploded.skill) as skill_key,
    exploded.skill
from exploded
