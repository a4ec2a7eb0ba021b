with jobs as (
    select job_posting_key, {{ job_sk('job_posting_key') }} as job_sk, skills
    from {{ ref('fact_jobs') }}
),

exploded as (
    select distinct job_posting_key, job_sk, unnest(skills) as skill from jobs
)

select
    exploded.job_posting_key,
    exploded.job_sk,
    md5(exploded.skill) as skill_key,
    exploded.skill
from exploded
