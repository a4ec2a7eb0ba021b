{{ config(materialized='view') }}

-- The rankings the Dagster ranking asset wrote, as a view so dbt can test them.
with source as (
    select * from {{ source('ranking', 'job_rankings') }}
),

renamed as (
    select
        ranking_date,
        campaign_id,
        campaign_name,
        job_posting_key,
        -- stored since the ranking computes it; rows ranked before that derive it
        coalesce(job_sk, {{ job_sk('job_posting_key') }}) as job_sk,
        job_id,
        score,
        rank,
        matched_skills,
        missing_skills,
        rank_explain,
        ruleset_version,
        ranked_at
    from source
)

select * from renamed
